"""Deprecation aliases of public names that moved (kept for one release)."""
import importlib
import sys
import types
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


def alias_module(old_module: str, new_locations: Dict[str, str]) -> None:
    """Keeps a moved module importable by its old name, with a warning per
    name used (the file itself is gone, so that git sees the move).

    Called by the old module's parent package: importing
    ``old_module`` first imports the parent, which registers the alias in
    ``sys.modules``.

    Args:
        old_module (str): The dotted name of the module that moved.
        new_locations (dict[str, str]): Name -> module it lives in now.
    """
    module = types.ModuleType(
        old_module, f'Deprecated: moved, see {set(new_locations.values())}.')
    module.__getattr__ = moved_names(old_module, new_locations)
    sys.modules[old_module] = module
    parent, _, name = old_module.rpartition('.')
    setattr(sys.modules[parent], name, module)


#: Modules that moved: old dotted name -> {name: module it lives in now}.
MOVED_MODULES: Dict[str, Dict[str, str]] = {
    'unipixel_mm.datasets.tokenizer':
    dict(
        {
            name: 'unipixel_mm.text'
            for name in ('REF_TOKEN', 'SEG_TOKEN', 'MEM_TOKEN', 'IGNORE_INDEX',
                         'QWEN2_5_VL_CHAT_TEMPLATE', 'build_processor',
                         'build_tiny_processor', 'get_processor')
        },
        TINY_SPECIAL_TOKENS='unipixel_mm.text.processor',
        TINY_VOCAB_SIZE='unipixel_mm.text.processor'),
    'unipixel_mm.utils.official_checkpoint': {
        name: 'unipixel_mm.models.checkpoint.official'
        for name in ('MODEL_TYPE', 'read_official_config', 'DTYPE_FIELDS',
                     'OFFICIAL_PRECISION', 'checkpoint_dtype',
                     'model_cfg_from_official', 'load_official_state_dict',
                     'official_state_dict', 'save_official_checkpoint',
                     'load_generation_config', 'load_official_checkpoint',
                     'build_from_official', 'SAM2_CONFIG_FILE',
                     'official_config_from_model',
                     'export_official_checkpoint')
    },
    'unipixel_mm.utils.strict_loading': {
        name: 'unipixel_mm.models.checkpoint.strict'
        for name in ('OFFICIAL_PREFIXES', 'CheckpointMismatchError',
                     'describe_state_dict', 'read_state_dict',
                     'load_checkpoint_strict')
    },
    'unipixel_mm.models.utils.hf_weights': {
        name: 'unipixel_mm.models.checkpoint.hf_weights'
        for name in ('WEIGHTS_NAME', 'INDEX_NAME', 'SAFETENSORS_FLOAT_DTYPES',
                     'official_to_modular_key', 'modular_to_official_key',
                     'weight_files', 'open_weights', 'SAFETENSORS_DTYPES',
                     'read_tensors_into', 'read_official_state_dict',
                     'tied_keys', 'is_lora_key', 'lora_base_key',
                     'check_state', 'load_checked', 'check_dtypes',
                     'stream_official_weights', 'load_hf_part')
    },
    'unipixel_mm.models.utils.weight_names': {
        name: 'unipixel_mm.models.checkpoint.weight_names'
        for name in ('file_weight_names', 'checkpoint_weight_names')
    },
}


def alias_moved_modules(parent: str) -> None:
    """Registers the aliases of the moved modules of package ``parent``
    (called by its ``__init__``)."""
    for old, locations in MOVED_MODULES.items():
        if old.rpartition('.')[0] == parent:
            alias_module(old, locations)


#: Keys of data infos and pipeline results that were renamed: old -> new
#: (``frame_ids`` was a second word for frame indices, next to
#: ``frame_inds``).
RENAMED_KEYS: Dict[str, str] = {'frame_ids': 'candidate_frame_inds'}


def rename_deprecated_keys(results: dict, where: str = 'sample') -> dict:
    """Moves the values of renamed keys (:data:`RENAMED_KEYS`) to their new
    names, with a ``DeprecationWarning`` each.

    Args:
        results (dict): A data info or pipeline results, changed in place.
        where (str): The sample's name in the messages.

    Returns:
        dict: ``results``.

    Raises:
        ValueError: When a sample holds both an old and its new key.
    """
    for old, new in RENAMED_KEYS.items():
        if old not in results:
            continue
        if new in results:
            raise ValueError(f'{where}: both {old!r} and {new!r} are given; '
                             f'{old!r} is the deprecated name of {new!r}')
        warnings.warn(
            f'{where}: the key {old!r} is now {new!r}; the old name goes in '
            'the next release',
            DeprecationWarning,
            stacklevel=3)
        results[new] = results.pop(old)
    return results
