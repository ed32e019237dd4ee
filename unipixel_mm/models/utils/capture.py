"""Read a module's input during a forward pass without changing its code."""
from contextlib import contextmanager
from typing import Dict, Iterator

import torch
import torch.nn as nn


@contextmanager
def capture_input(module: nn.Module) -> Iterator[Dict[str, torch.Tensor]]:
    """Record the first positional input of ``module`` while in the context.

    Used to read intermediate tensors of transformers' modules (the hidden
    state entering the final norm, the features entering the patch merger's
    MLP) without copying their forward code.

    Yields:
        dict: ``{'input': Tensor}`` once the module has run; a later call in
        the same context overwrites it.
    """
    record: Dict[str, torch.Tensor] = {}

    def hook(_module, args):
        record['input'] = args[0]

    handle = module.register_forward_pre_hook(hook)
    try:
        yield record
    finally:
        handle.remove()
