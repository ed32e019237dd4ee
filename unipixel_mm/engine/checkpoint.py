"""Loading of local mmengine checkpoints with torch >= 2.6.

torch 2.6 made ``weights_only=True`` the default of ``torch.load``. An
mmengine checkpoint holds more than tensors (the ``meta`` with the config and
the message hub, the optimizer and parameter-scheduler states), which the
weights-only unpickler refuses, and mmengine 0.10.7 calls ``torch.load``
without the argument, so ``load_from`` and ``resume`` fail. Importing this
module replaces mmengine's loader of local paths (the scheme ``''``) by one
that unpickles in full. Remote schemes keep mmengine's loaders.

:func:`find_resumable_checkpoint` picks the checkpoint ``--resume`` continues
from, skipping incomplete ones.
"""
import logging
import os
import os.path as osp
import re
import zipfile
from typing import List, Optional, Tuple, Union

import torch
from mmengine.logging import print_log
from mmengine.runner import CheckpointLoader

MapLocation = Optional[Union[str, torch.device, dict]]
#: The names CheckpointHook gives its checkpoints (``filename_tmpl``).
_CKPT_NAME = re.compile(r'(?:epoch|iter)_(\d+)\.pth')


@CheckpointLoader.register_scheme(prefixes='', force=True)
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


def _checkpoints_in(folder: str) -> List[Tuple[int, str]]:
    """``(step, path)`` of the ``epoch_N`` / ``iter_N`` checkpoints of
    ``folder``, temporary names excluded."""
    found = []
    for name in os.listdir(folder) if osp.isdir(folder) else ():
        match = _CKPT_NAME.fullmatch(name)
        if match:
            found.append((int(match.group(1)), osp.join(folder, name)))
    return found


def find_resumable_checkpoint(work_dir: str) -> Optional[str]:
    """The newest readable checkpoint of a run, for ``--resume``.

    The candidates are the checkpoint that ``<work_dir>/last_checkpoint``
    names and the ``iter_N`` / ``epoch_N`` checkpoints of its folder and of
    ``work_dir``; the readable one of the highest step is taken (the named
    one on a tie). A warning names every newer one skipped as incomplete
    (left by a kill during a non-atomic save) and a named one not taken.

    Args:
        work_dir (str): The run's work directory.

    Returns:
        str, optional: The checkpoint, or None when there is none.
    """
    last = None
    record = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(record):
        with open(record) as f:
            last = f.read().strip() or None
    candidates = _checkpoints_in(work_dir)
    if last is not None:
        candidates += _checkpoints_in(osp.dirname(last))
        match = _CKPT_NAME.fullmatch(osp.basename(last))
        # the named checkpoint wins a tie; a custom name comes last
        candidates.append((int(match.group(1)) if match else -1, last))
    seen = set()
    for _, path in sorted(
            candidates, key=lambda c: (c[0], c[1] == last), reverse=True):
        if path in seen:
            continue
        seen.add(path)
        if is_readable_checkpoint(path):
            if last is not None and path != last:
                print_log(
                    f'{record} names "{last}"; resuming from the newest '
                    f'complete checkpoint "{path}" instead',
                    logger='current',
                    level=logging.WARNING)
            return path
        print_log(
            f'Skipping the missing or incomplete checkpoint "{path}"',
            logger='current',
            level=logging.WARNING)
    return None
