"""Loading a checkpoint that must fill the whole model.

mmengine's ``load_checkpoint`` loads what matches and logs the other keys,
so the weights of another model load "successfully" into nothing and the
model runs on its random initialisation. Inference and testing load with
:func:`load_checkpoint_strict` instead, which refuses a checkpoint that does
not fill every weight and says what the checkpoint looks like.

A training stage saves its trainable weights only; such a checkpoint fills
the model together with the pretrained files its config names (the
components' ``pretrained`` / ``checkpoint`` and ``partial_checkpoints``):
those are loaded first (``init_weights``), then the checkpoint over them.
"""
import os.path as osp
from typing import Dict, List

import torch
from mmengine.logging import print_log

from .loader import load_checkpoint
from .official import load_official_checkpoint

#: Name prefixes of the official (HuggingFace) UniPixel state dict.
OFFICIAL_PREFIXES = ('model.', 'visual.', 'lm_head.', 'sam2.')


class CheckpointMismatchError(ValueError):
    """A checkpoint that does not fill the model's weights."""


def _examples(names: List[str], count: int = 3) -> str:
    shown = ', '.join(names[:count])
    return shown + (', ...' if len(names) > count else '')


def describe_state_dict(state: Dict[str, torch.Tensor],
                        own: Dict[str, torch.Tensor]) -> str:
    """Says what kind of checkpoint ``state`` looks like next to ``own``.

    Args:
        state (dict): The checkpoint's weights.
        own (dict): The model's ``state_dict()``.

    Returns:
        str: A short description, for an error message.
    """
    names = list(state)
    matched = [k for k in names if k in own]
    if any(state[k].shape != own[k].shape for k in matched):
        return 'the checkpoint of another config of the model'
    if matched and len(matched) == len(names):
        return ('a partial checkpoint (such as the trainable parameters '
                'of a training stage): give the full model\'s checkpoint, '
                'or a model config whose pretrained files (pretrained / '
                'checkpoint of the components, partial_checkpoints) hold '
                'the other weights')
    if names and all(k.startswith(OFFICIAL_PREFIXES) for k in names):
        return ('an official UniPixel state dict: give its checkpoint '
                'directory (config.json + safetensors) instead')
    if not matched:
        return ('the checkpoint of another model (its weights are named '
                f'{_examples(sorted(names))})')
    return 'the checkpoint of another config of the model'


def read_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """The weights of a ``.pth`` file (mmengine or plain state dict).

    Raises:
        CheckpointMismatchError: When the file holds no weights.
    """
    ckpt = load_checkpoint(path)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not state or not isinstance(state, dict) or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointMismatchError(
            f'"{path}" holds no state dict of weights')
    # saved from a wrapped model (DDP)
    return {
        k[len('module.'):] if k.startswith('module.') else k: v
        for k, v in state.items()
    }


def _fills_with_pretrained(model: torch.nn.Module,
                           state: Dict[str, torch.Tensor]) -> bool:
    """Whether ``state`` and the pretrained files of the model's config
    together fill every weight of the model."""
    if not hasattr(model, 'pretrained_weight_names'):
        return False
    missing = set(model.state_dict()) - set(state)
    return missing <= model.pretrained_weight_names()


def load_checkpoint_strict(model: torch.nn.Module, path: str) -> None:
    """Loads ``path`` into ``model``; every weight must be filled.

    Args:
        model (nn.Module): The model.
        path (str): An mmengine ``.pth`` checkpoint, a plain state dict or
            an official checkpoint directory (loaded strictly by
            :func:`~unipixel_mm.utils.load_official_checkpoint`).

    Raises:
        CheckpointMismatchError: When the checkpoint misses a weight of the
            model, holds one the model lacks or one of another shape; the
            one-line message says how many matched and what the checkpoint
            looks like.
    """
    if osp.isdir(path):
        load_official_checkpoint(model, path)
        return
    state = read_state_dict(path)
    own = model.state_dict()
    matched = [k for k in state if k in own and state[k].shape == own[k].shape]
    if len(matched) == len(state) == len(own):
        model.load_state_dict(state, strict=True)
        return
    if len(matched) == len(state) and _fills_with_pretrained(model, state):
        model.init_weights()
        model.load_state_dict(state, strict=False)
        print_log(
            f'Loaded {len(state)} weights from "{path}" over the '
            f'{len(own) - len(state)} pretrained weights of the config',
            'current')
        return
    reshaped = [k for k in state if k in own and k not in matched]
    missing = sum(k not in state for k in own)
    unexpected = sum(k not in own for k in state)
    problems = []
    if missing:
        problems.append(f'{missing} missing')
    if unexpected:
        problems.append(f'{unexpected} of its {len(state)} weights not in '
                        'the model')
    if reshaped:
        problems.append(f'{len(reshaped)} of another shape '
                        f'({_examples(reshaped)})')
    raise CheckpointMismatchError(
        f'"{path}" fills {len(matched)} of the model\'s {len(own)} weights (' +
        '; '.join(problems) + '): it looks like ' +
        describe_state_dict(state, own))
