"""Loading of local mmengine checkpoints with torch >= 2.6.

torch 2.6 made ``weights_only=True`` the default of ``torch.load``. An
mmengine checkpoint holds more than tensors (the ``meta`` with the config and
the message hub, the optimizer and parameter-scheduler states), which the
weights-only unpickler refuses, and mmengine 0.10.7 calls ``torch.load``
without the argument, so ``load_from``, ``resume`` and partial checkpoints
fail. :func:`register_local_loader` replaces mmengine's loader of local
paths (the scheme ``''``) by one that unpickles in full; importing
``unipixel_mm.engine`` calls it, and so does :func:`load_checkpoint` (the
loading of this package). Remote schemes keep mmengine's loaders. It is not
done at import: ``mmengine.runner`` pulls in DeepSpeed, OpenCV and the
runner's hooks (about 50 MiB of resident memory), which building a model and
running it do not need.
"""
import os
import os.path as osp
import zipfile
from typing import Optional, Union

import torch

MapLocation = Optional[Union[str, torch.device, dict]]


def load_from_local(filename: str, map_location: MapLocation = None) -> dict:
    """Loads a local checkpoint with ``weights_only=False``.

    Unpickling runs arbitrary code, so this is for files the user trusts:
    their own runs and checkpoints they chose to load, as mmengine's loader
    was before torch 2.6. The name matches mmengine's loader, whose log line
    ("Loads checkpoint by local backend") prints the name's tail.

    Args:
        filename (str): Path of the checkpoint; ``~`` is expanded.
        map_location (str | torch.device | dict, optional): As in
            :func:`torch.load`.

    Returns:
        dict: The loaded checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


def register_local_loader() -> None:
    """Make :func:`load_from_local` mmengine's loader of local paths."""
    from mmengine.runner import CheckpointLoader
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)


def load_checkpoint(path: str, map_location: MapLocation = 'cpu') -> dict:
    """``CheckpointLoader.load_checkpoint`` of mmengine (local paths, remote
    schemes), local paths read by :func:`load_from_local`."""
    from mmengine.runner import CheckpointLoader
    register_local_loader()
    return CheckpointLoader.load_checkpoint(path, map_location=map_location)


def is_readable_checkpoint(path: str) -> bool:
    """Whether ``path`` looks like a complete checkpoint, without loading it.

    A file must be a whole zip archive (``torch.save``'s format, whose
    directory is written last, so a truncated file fails); a folder (a
    DeepSpeed checkpoint) must not be empty.

    Args:
        path (str): A checkpoint file or folder.

    Returns:
        bool: False for a missing, truncated or empty checkpoint.
    """
    if osp.isdir(path):
        return bool(os.listdir(path))
    return osp.isfile(path) and zipfile.is_zipfile(path)
