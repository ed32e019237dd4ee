"""Atomic writes: a reader sees all of a file, or of a group, or none.

A layer-1 module (no import from the package), used by the checkpoint hook,
the official-checkpoint export and the command-line outputs.

Every writer here writes to a temporary name beside its destination (a
name that starts with ``.`` and holds ``.tmp-``), flushes it to the disk
with ``fsync`` and then renames it into place; a rename within a folder is
atomic on POSIX file systems. A process killed or a disk filled in the
middle leaves at most a temporary file, never a partial file under the
final name, and a failed write removes its temporary file.
"""
import os
import os.path as osp
import shutil
import tempfile
from contextlib import contextmanager
from typing import Dict, Iterator, Mapping

#: Marks the names of temporary files and folders (``.NAME.tmp-XXXX``).
TMP_MARK = '.tmp-'


def is_temporary(name: str) -> bool:
    """Whether ``name`` is a temporary name made by this module."""
    base = osp.basename(osp.normpath(name))
    return base.startswith('.') and TMP_MARK in base


def temporary_path(path: str) -> str:
    """A new, unused temporary name beside ``path`` (nothing is created).

    The extension is kept last, for writers that choose the format by it
    (``cv2.imwrite``, ``cv2.VideoWriter``).

    Args:
        path (str): The destination.

    Returns:
        str: ``<dir>/.<stem>.tmp-<random><ext>``.
    """
    folder, name = osp.split(osp.abspath(path))
    stem, ext = osp.splitext(name)
    tag = f'{os.getpid()}-{os.urandom(4).hex()}'
    return osp.join(folder, f'.{stem}{TMP_MARK}{tag}{ext}')


def fsync_dir(path: str) -> None:
    """Flushes a folder's entries (renames, new and removed files)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: str) -> None:
    """Flushes a file, or every file and folder under a folder, to disk."""
    if osp.isdir(path):
        for root, _, files in os.walk(path):
            for name in files:
                fsync_tree(osp.join(root, name))
            fsync_dir(root)
        return
    with open(path, 'rb') as f:
        os.fsync(f.fileno())


def remove_path(path: str) -> None:
    """Removes a file or a folder tree; a missing path is no error."""
    if osp.isdir(path) and not osp.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif osp.lexists(path):
        os.remove(path)


def commit(tmp: str, path: str) -> None:
    """Flushes ``tmp`` (file or folder) and renames it to ``path``.

    A folder ``path`` that exists is replaced: it is first renamed aside,
    then removed after the new one is in place.

    Args:
        tmp (str): The written temporary file or folder.
        path (str): The destination, in the same folder as ``tmp``.
    """
    fsync_tree(tmp)
    old = None
    if osp.isdir(path) and not osp.islink(path):
        old = temporary_path(path)
        os.replace(path, old)
    os.replace(tmp, path)
    fsync_dir(osp.dirname(osp.abspath(path)))
    if old is not None:
        remove_path(old)


@contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yields a temporary path to write; commits it to ``path`` on success.

    The caller writes a file (or creates a folder) at the yielded path. On
    an exception the temporary file or folder is removed and the exception
    propagates; ``path`` is left as it was.

    Args:
        path (str): The destination.

    Yields:
        str: The temporary path, in the destination's folder.
    """
    tmp = temporary_path(path)
    try:
        yield tmp
        commit(tmp, path)
    except BaseException:
        remove_path(tmp)
        raise


def write_atomic(path: str, data: bytes) -> None:
    """Writes ``data`` to ``path`` atomically (see the module docstring)."""
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            f.write(data)


def write_text_atomic(path: str, text: str) -> None:
    """Writes ``text`` (UTF-8) to ``path`` atomically."""
    write_atomic(path, text.encode('utf-8'))


def is_read_only(path: str) -> bool:
    """Whether ``path`` exists and is read-only: not writable by this
    process, or with no write permission for anyone (which even root
    respects here: the file was marked read-only on purpose)."""
    if not osp.exists(path):
        return False
    return not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222


def check_writable_dir(path: str) -> None:
    """Checks that files can be created in the folder ``path``.

    The folder (and its parents) are created if missing; a test file is
    written and removed, so a read-only mount is found too.

    Raises:
        OSError: Naming the folder, when it cannot be created or written.
    """
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=f'.check{TMP_MARK}'):
            pass
    except OSError as e:
        raise OSError(
            e.errno,
            f'cannot write to the folder "{path}": {e.strerror}') from None


def commit_group(files: Mapping[str, str]) -> None:
    """Renames written temporary files to their destinations, all or none.

    All files are written (and flushed) before the first rename, so a
    failed write leaves the destinations as they were. The renames then
    only update folder entries; a destination that is a read-only file is
    refused before any rename.

    Args:
        files (Mapping[str, str]): Temporary path -> destination.

    Raises:
        PermissionError: When a destination exists and is not writable.
    """
    for path in files.values():
        if is_read_only(path):
            raise PermissionError(
                f'cannot replace the read-only file "{path}"')
    for tmp in files:
        fsync_tree(tmp)
    folders = set()
    for tmp, path in files.items():
        os.replace(tmp, path)
        folders.add(osp.dirname(osp.abspath(path)))
    for folder in folders:
        fsync_dir(folder)


@contextmanager
def atomic_group(paths: Mapping[str, str]) -> Iterator[Dict[str, str]]:
    """Yields temporary paths for several files committed together.

    Args:
        paths (Mapping[str, str]): Key -> destination path.

    Yields:
        dict: Key -> temporary path to write. When the block succeeds, all
        files are renamed into place (:func:`commit_group`); on an
        exception every temporary file is removed and no destination
        changes.
    """
    tmps = {key: temporary_path(path) for key, path in paths.items()}
    try:
        yield tmps
        commit_group({tmps[key]: paths[key] for key in paths})
    except BaseException:
        for tmp in tmps.values():
            remove_path(tmp)
        raise
