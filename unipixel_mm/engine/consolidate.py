"""The weights of a training checkpoint of any strategy, in one piece.

A DDP or single-device run saves one file; DeepSpeed a folder with one
optimizer partition per rank; :class:`~unipixel_mm.engine.strategies.
UniPixelFSDPStrategy` a folder of ``torch.distributed.checkpoint`` shards.
:func:`load_trainable_state` reads any of them into the state dict of the
unwrapped model (the trainable weights where the run saved only those),
which loads into a model on one process (``load_state_dict(strict=False)``,
``partial_checkpoints``) or is exported to the official format.
"""
import os
import os.path as osp
from typing import Dict

import torch
import torch.distributed.checkpoint as dcp
from mmengine.runner import CheckpointLoader
from torch.distributed.checkpoint.metadata import TensorStorageMetadata

#: The end of the module-state files DeepSpeed writes into every checkpoint
#: folder (``mp_rank_00_model_states.pt``, under ZeRO-3 one per rank).
DEEPSPEED_MODEL_STATES = 'mp_rank_00_model_states.pt'


def checkpoint_kind(path: str) -> str:
    """``'file'``, ``'deepspeed'`` or ``'sharded'`` (FSDP).

    Raises:
        FileNotFoundError: When ``path`` is none of them.
    """
    if osp.isfile(path):
        return 'file'
    if osp.isdir(path) and any(
            n.endswith(DEEPSPEED_MODEL_STATES) for n in os.listdir(path)):
        return 'deepspeed'
    if osp.isfile(osp.join(path, '.metadata')):
        return 'sharded'
    raise FileNotFoundError(
        f'"{path}" is no checkpoint: neither a file, a DeepSpeed folder '
        f'({DEEPSPEED_MODEL_STATES}) nor a sharded folder (.metadata)')


def _load_deepspeed(path: str) -> Dict[str, torch.Tensor]:
    """The fp32 weights of a DeepSpeed folder, gathered from the ZeRO
    partitions of the optimizer (any stage)."""
    from .strategies import import_deepspeed
    import_deepspeed()
    from deepspeed.utils.zero_to_fp32 import \
        get_fp32_state_dict_from_zero_checkpoint
    folder, tag = osp.split(osp.abspath(path))
    return dict(get_fp32_state_dict_from_zero_checkpoint(folder, tag=tag))


def _load_sharded(path: str) -> Dict[str, torch.Tensor]:
    """The ``state_dict`` entries of a ``torch.distributed.checkpoint``
    folder, read whole in this one process."""
    metadata = dcp.FileSystemReader(path).read_metadata()
    prefix = 'state_dict.'
    weights = {
        key[len(prefix):]: torch.empty(meta.size, dtype=meta.properties.dtype)
        for key, meta in metadata.state_dict_metadata.items()
        if key.startswith(prefix) and isinstance(meta, TensorStorageMetadata)
    }
    dcp.load({'state_dict': weights}, checkpoint_id=path, no_dist=True)
    return weights


def load_trainable_state(path: str) -> Dict[str, torch.Tensor]:
    """Reads the model weights of a training checkpoint of any strategy.

    Args:
        path (str): A checkpoint file, DeepSpeed folder or sharded folder.

    Returns:
        dict: Parameter name (of the unwrapped model) -> tensor on the CPU.
    """
    kind = checkpoint_kind(path)
    if kind == 'deepspeed':
        return _load_deepspeed(path)
    if kind == 'sharded':
        return _load_sharded(path)
    checkpoint = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    return dict(checkpoint.get('state_dict', checkpoint))


def load_trained_weights(model: torch.nn.Module, path: str) -> None:
    """Loads the weights of a training checkpoint of any strategy over the
    model's own (the frozen ones stay those it was built with).

    Args:
        model (nn.Module): The unwrapped model, built as for training.
        path (str): A checkpoint file, DeepSpeed folder or sharded folder.

    Raises:
        KeyError: When the checkpoint holds weights the model lacks.
    """
    state = load_trainable_state(path)
    own = model.state_dict()
    unexpected = sorted(k for k in state if k not in own)
    if unexpected:
        raise KeyError(f'{path} holds weights the model lacks: '
                       f'{unexpected[:5]}')
    model.load_state_dict(state, strict=False)
