"""Deprecated: moved to :mod:`unipixel_mm.models.checkpoint.strict`."""
from unipixel_mm.deprecation import moved_names

__getattr__ = moved_names(
    __name__, {
        name: 'unipixel_mm.models.checkpoint.strict'
        for name in (
            'OFFICIAL_PREFIXES', 'CheckpointMismatchError',
            'describe_state_dict', 'read_state_dict', 'load_checkpoint_strict')
    })
