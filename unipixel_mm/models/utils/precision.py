"""Precision policies: which parts of UniPixel follow the model's dtype."""
import torch.nn as nn

from .fp32 import Float32Module

#: ``'reference'``: the whole model in one dtype (the checkpoint's), SAM2
#: included, as the reference implementation computes with the official
#: bfloat16 checkpoints; ``'sam2_float32'``: the LLM and the vision encoder
#: in the model's dtype, the SAM2 parts (mask decoder, point / box prompt
#: encoder) in float32.
PRECISION_POLICIES = ('reference', 'sam2_float32')


def check_precision(policy: str) -> str:
    """Return ``policy`` if it names a precision policy, else raise.

    Raises:
        ValueError: for an unknown policy.
    """
    if policy not in PRECISION_POLICIES:
        raise ValueError(f'Unknown precision policy "{policy}"; choose one '
                         f'of {PRECISION_POLICIES}')
    return policy


def apply_precision(model: nn.Module, policy: str) -> None:
    """Set whether the model's SAM2 parts follow its dtype casts.

    Args:
        model (nn.Module): the model; its :class:`Float32Module` parts are
            switched (casting the model afterwards applies the policy).
        policy (str): one of :data:`PRECISION_POLICIES`.
    """
    keep = check_precision(policy) == 'sam2_float32'
    for module in model.modules():
        if isinstance(module, Float32Module):
            module.keep_float32 = keep
