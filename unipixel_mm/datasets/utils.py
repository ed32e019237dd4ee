"""Annotation-file helpers shared by the data-set readers."""
import json
import os
import os.path as osp
import pickle
from typing import List, Sequence


def load_annotation(path: str, what: str = 'annotation file'):
    """Reads a JSON or pickle annotation file.

    Args:
        path (str): ``.json``, ``.p`` or ``.pkl`` file.
        what (str): What the file is, for the error messages.

    Returns:
        The decoded object.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    try:
        if path.endswith(('.p', '.pkl', '.pickle')):
            with open(path, 'rb') as f:
                return pickle.load(f)
        with open(path) as f:
            return json.load(f)
    except (ValueError, pickle.UnpicklingError, EOFError) as e:
        raise ValueError(f'corrupt {what} {path}: {e}') from e


def require_fields(record, fields: Sequence[str], where: str,
                   path: str) -> None:
    """Stops with the file and the field when a record lacks a field.

    Args:
        record: An annotation record (a dict; anything else is refused).
        fields (Sequence[str]): The keys it must have.
        where (str): Which record, e.g. ``'mvbench Action Count 3'``.
        path (str): The annotation file.
    """
    if not isinstance(record, dict):
        raise ValueError(f'{where} in {path}: expected a dict record, got '
                         f'{type(record).__name__} (another layout?)')
    missing = [k for k in fields if k not in record]
    if missing:
        raise KeyError(f'{where} in {path}: no field(s) {missing} (has '
                       f'{sorted(record)})')


def list_files(folder: str, exts: Sequence[str], what: str) -> List[str]:
    """The files of a folder with the given extensions, sorted by name.

    Args:
        folder (str): Directory.
        exts (Sequence[str]): Extensions such as ``('.png', )``.
        what (str): What the folder holds, for the error message.

    Returns:
        list[str]: Paths joined with ``folder``.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'{what} folder not found: {folder}')
    return sorted(
        osp.join(folder, name) for name in os.listdir(folder)
        if name.lower().endswith(tuple(exts)))
