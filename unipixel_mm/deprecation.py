"""Deprecation aliases of public names that moved (kept for one release)."""
import importlib
import warnings
from typing import Callable, Dict

#: Old module -> {moved name: module it lives in now}, of every alias made.
MOVED: Dict[str, Dict[str, str]] = {}


def moved_names(old_module: str, new_locations: Dict[str, str]) -> Callable:
    """A module ``__getattr__`` that serves moved names with a warning.

    Args:
        old_module (str): The module the names were in.
        new_locations (dict[str, str]): Name -> module it lives in now.

    Returns:
        Callable: ``__getattr__(name)`` for the old module (PEP 562): it
        warns with a ``DeprecationWarning`` naming the new location and
        returns the object; other names raise ``AttributeError``.
    """
    MOVED[old_module] = dict(new_locations)

    def __getattr__(name: str):
        if name not in new_locations:
            raise AttributeError(
                f'module {old_module!r} has no attribute {name!r}')
        new = new_locations[name]
        warnings.warn(
            f'{old_module}.{name} moved to {new}.{name}; the old name goes '
            'in the next release',
            DeprecationWarning,
            stacklevel=2)
        return getattr(importlib.import_module(new), name)

    return __getattr__
