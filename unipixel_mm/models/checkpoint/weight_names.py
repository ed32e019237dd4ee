"""Which state-dict names of a model the files of its config fill.

A training stage saves its trainable weights only; the rest come from the
pretrained files the config names. These helpers say which names each
source fills, so that a checkpoint can be checked for completeness.
"""
import os.path as osp
from typing import Set, Tuple

from torch import nn

from .hf_weights import lora_base_key
from .loader import load_checkpoint


def file_weight_names(module: nn.Module,
                      skip: Tuple[str, ...] = ()) -> Set[str]:
    """The state-dict names of ``module`` that a pretrained file fills.

    Every name but LoRA adapters (added after the pretrained weights) and
    names starting with one of ``skip`` (new layers the file lacks).
    """
    return {
        k
        for k in module.state_dict()
        if 'lora_' not in k and not k.startswith(skip)
    }


def checkpoint_weight_names(model: nn.Module, path: str) -> Set[str]:
    """The names of ``model`` that a partial checkpoint fills: all of them
    for an official directory, else the names the ``.pth`` holds."""
    own = model.state_dict()
    if osp.isdir(path):
        return set(own)
    state = load_checkpoint(path)
    return {lora_base_key(k, own) for k in state.get('state_dict', state)}
