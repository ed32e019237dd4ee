"""Faults injected into checkpoint saves, imported by the fault tests'
config (``custom_imports``) in the training subprocess.

``UNIPIXEL_TEST_FAULT=<point>@<name>`` picks the save of the checkpoint
``<name>`` (e.g. ``iter_20.pth``) and the point where it fails:

- ``write``: the process dies after writing half of the file;
- ``enospc``: half of the file is written, then the disk is full;
- ``commit``: dies when the complete file is about to be renamed in place;
- ``record``: dies before ``last_checkpoint`` is updated;
- ``evict``: dies before the oldest kept checkpoint is removed.

A kill is ``os._exit``: no clean-up runs, as with SIGKILL.
"""
import errno
import os
import os.path as osp

from mmengine.fileio import LocalBackend

from unipixel_mm import fileio

KILLED = 137
POINT, _, NAME = os.environ.get('UNIPIXEL_TEST_FAULT', '').partition('@')


def _is_target(path: str) -> bool:
    return NAME in osp.basename(str(path))


def _put(self, obj: bytes, filepath) -> None:
    if _is_target(filepath) and POINT in ('write', 'enospc'):
        with open(filepath, 'wb') as f:
            f.write(obj[:len(obj) // 2])
            f.flush()
        if POINT == 'write':
            os._exit(KILLED)
        raise OSError(errno.ENOSPC, 'No space left on device', filepath)
    _original_put(self, obj, filepath)


def _commit(tmp: str, path: str) -> None:
    if POINT == 'commit' and _is_target(path):
        os._exit(KILLED)
    _original_commit(tmp, path)


def _write_text_atomic(path: str, text: str) -> None:
    if POINT == 'record' and _is_target(text):
        os._exit(KILLED)
    _original_write_text_atomic(path, text)


def _remove_path(path: str) -> None:
    if POINT == 'evict' and not fileio.is_temporary(path):
        os._exit(KILLED)
    _original_remove_path(path)


_original_put = LocalBackend.put
_original_commit = fileio.commit
_original_write_text_atomic = fileio.write_text_atomic
_original_remove_path = fileio.remove_path
if POINT:
    LocalBackend.put = _put
    fileio.commit = _commit
    fileio.write_text_atomic = _write_text_atomic
    fileio.remove_path = _remove_path
