"""Checkpoints of all or part of the parameters: the trainable weights a
training stage saves, and loading them (or an official directory) over a
built model."""
import os.path as osp
from typing import Dict, Iterable, List, Sequence

import torch
from mmengine.logging import print_log
from torch import nn

from .hf_weights import lora_base_key
from .loader import load_checkpoint
from .official import load_official_checkpoint


def trainable_names(model: nn.Module) -> List[str]:
    """The names of the parameters that require grad."""
    return [n for n, p in model.named_parameters() if p.requires_grad]


def filter_state_dict(state: Dict[str, torch.Tensor],
                      keep: Iterable[str]) -> Dict[str, torch.Tensor]:
    """The entries of ``state`` whose names are in ``keep``."""
    keep = set(keep)
    return {k: v for k, v in state.items() if k in keep}


def load_partial_checkpoints(model: nn.Module, paths: Sequence[str]) -> None:
    """Loads checkpoints of all or part of the model's parameters over its
    weights: the trainable ones saved by earlier stages, a full mmengine
    checkpoint, or an official UniPixel directory (HuggingFace format).

    Names of layers that got LoRA adapters since are mapped to their
    ``base_layer``.

    Args:
        model (nn.Module): the model.
        paths (Sequence[str]): mmengine checkpoints (``state_dict`` key),
            plain state dicts or official checkpoint directories, loaded in
            order.

    Raises:
        KeyError: when a checkpoint holds a name the model lacks, as the
            reference asserts (an official directory must fit the model
            entirely).
    """
    for path in paths:
        if osp.isdir(path):
            load_official_checkpoint(model, path)
            print_log(f'Loaded the official checkpoint {path}', 'current')
            continue
        state = load_checkpoint(path)
        state = state.get('state_dict', state)
        own = model.state_dict()
        state = {lora_base_key(k, own): v for k, v in state.items()}
        unexpected = [k for k in state if k not in own]
        if unexpected:
            raise KeyError(f'{path} holds parameters the model lacks: '
                           f'{unexpected}')
        model.load_state_dict(state, strict=False)
        print_log(f'Loaded {len(state)} tensors from {path}', 'current')
