"""Which parameters train: freezing, LoRA adapters and gradient
checkpointing, as the reference's ``train.py`` sets them up (the
checkpoints of the trainable parameters are in
:mod:`unipixel_mm.models.checkpoint.partial`).

The reference freezes the whole model, adds LoRA adapters (peft) to the
attention projections, then unfreezes the modules its ``tuning_modules``
name. Here the modules are named by prefixes of the modular model's
parameter names, e.g. ``'llm.seg_head'`` or ``'mask_decoder'``.
"""
from typing import List, Sequence

from torch import nn

from unipixel_mm.deprecation import moved_names

# the attention projections of the Qwen2.5-VL LLM and vision transformer
QKVO_KEYS = ('q_proj', 'k_proj', 'v_proj', 'o_proj', 'attn.qkv', 'attn.proj')
# the transformer of each LoRA scope of the reference's ``lora_type``
LORA_SCOPES = {
    'llm': ('llm.model.', ),
    'visual': ('vision_tokenizer.visual.', ),
    'all': ('llm.model.', 'vision_tokenizer.visual.'),
}


def get_lora_targets(model: nn.Module, target: str = 'qkvo_all') -> List[str]:
    """The names of the linear layers that get LoRA adapters.

    Args:
        model (nn.Module): the UniPixel model.
        target (str): ``'{layers}_{scope}'`` as the reference's
            ``lora_type``: layers ``'qkvo'`` (attention projections) or
            ``'linear'`` (every linear layer), scope ``'llm'``,
            ``'visual'`` or ``'all'``. The heads (``lm_head``,
            ``seg_head``) and SAM2 never get adapters.

    Returns:
        list[str]: full module names.
    """
    layers, _, scope = target.partition('_')
    if layers not in ('qkvo', 'linear') or scope not in LORA_SCOPES:
        raise ValueError(f'Unknown LoRA target "{target}": expected '
                         '"{qkvo,linear}_{llm,visual,all}"')
    return [
        name for name, module in model.named_modules()
        if isinstance(module, nn.Linear) and name.startswith(
            LORA_SCOPES[scope]) and (layers == 'linear' or name.endswith(
                QKVO_KEYS))
    ]


def add_lora(model: nn.Module,
             r: int = 128,
             alpha: int = 256,
             dropout: float = 0.1,
             target: str = 'qkvo_all') -> List[str]:
    """Injects LoRA adapters (peft) into ``model`` in place.

    The model is not wrapped: an adapted ``q_proj`` keeps its name, its
    weight moves to ``q_proj.base_layer`` and the adapter is
    ``q_proj.lora_A/lora_B.default``.

    Args:
        model (nn.Module): the UniPixel model.
        r (int): the LoRA rank.
        alpha (int): the LoRA scale numerator (scale ``alpha / r``).
        dropout (float): dropout on the adapter's input.
        target (str): see :func:`get_lora_targets`.

    Returns:
        list[str]: the adapted module names.
    """
    try:
        from peft import LoraConfig, inject_adapter_in_model
    except ImportError as e:
        raise ImportError('LoRA needs peft: pip install peft') from e
    targets = get_lora_targets(model, target)
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        bias='none',
        target_modules=targets)
    inject_adapter_in_model(config, model)
    return targets


def merge_lora(model: nn.Module) -> None:
    """Merges the LoRA adapters into their layers and removes them, in
    place: the model gets back its plain names (``q_proj.weight``), as the
    official checkpoint format and :func:`export_official_checkpoint` need.

    Args:
        model (nn.Module): a model with adapters of :func:`add_lora`.
    """
    from peft.tuners.lora import LoraLayer
    for name, module in list(model.named_modules()):
        if isinstance(module, LoraLayer):
            module.merge()
            parent, _, child = name.rpartition('.')
            setattr(model.get_submodule(parent), child,
                    module.get_base_layer())


def set_trainable(model: nn.Module, trainable: Sequence[str]) -> None:
    """Freezes ``model`` but the parameters under the given prefixes and
    the LoRA adapters.

    Args:
        model (nn.Module): the model.
        trainable (Sequence[str]): prefixes of parameter names, e.g.
            ``'llm.seg_head'``; ``'prompt_encoder.temporal_'`` matches
            every name that starts with it.

    Raises:
        KeyError: when a prefix matches no parameter (a typo would
            silently train nothing) and does not name an absent component
            (``'memory_bank'`` of a model built without one).
    """
    prefixes = tuple(p for p in trainable
                     if getattr(model, p.split('.')[0], True) is not None)
    unmatched = set(prefixes)
    model.requires_grad_(False)
    # tied weights (lm_head / embed_tokens) are visited under both names
    for name, param in model.named_parameters(remove_duplicate=False):
        hits = [p for p in prefixes if name.startswith(p)]
        unmatched.difference_update(hits)
        if hits or '.lora_' in name:
            param.requires_grad_(True)
    if unmatched:
        raise KeyError(f'Trainable prefixes match no parameter: '
                       f'{sorted(unmatched)}')


def enable_gradient_checkpointing(model: nn.Module) -> None:
    """Turns on the gradient checkpointing of the HuggingFace transformers
    in ``model`` (the LLM and the ViT).

    The non-reentrant variant is used: it computes the gradients of the
    adapters and unfrozen layers inside a checkpointed block even when its
    input does not require grad (frozen embeddings), which the reentrant
    variant needs ``enable_input_require_grads`` for.

    Args:
        model (nn.Module): the model.
    """
    for module in model.modules():
        if getattr(module, 'supports_gradient_checkpointing', False):
            module.gradient_checkpointing_enable(
                gradient_checkpointing_kwargs=dict(use_reentrant=False))


__getattr__ = moved_names(
    __name__, {
        name: 'unipixel_mm.models.checkpoint.partial'
        for name in ('trainable_names', 'filter_state_dict',
                     'load_partial_checkpoints')
    })
