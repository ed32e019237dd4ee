"""The checkpoint a run resumes from.

The loader of local mmengine checkpoints for torch >= 2.6 lives in
:mod:`unipixel_mm.models.checkpoint.loader` (re-exported here; importing
this module registers it with mmengine).

:func:`find_resumable_checkpoint` picks the checkpoint ``--resume`` continues
from, skipping incomplete ones.
"""
import logging
import os
import os.path as osp
import re
from typing import List, Optional, Tuple

from mmengine.logging import print_log

from unipixel_mm.models.checkpoint.loader import (  # noqa: F401
    is_readable_checkpoint, load_from_local, register_local_loader)

# runs load local checkpoints (``load_from``, ``resume``) with it
register_local_loader()

#: The names CheckpointHook gives its checkpoints (``filename_tmpl``).
_CKPT_NAME = re.compile(r'(?:epoch|iter)_(\d+)\.pth')


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
