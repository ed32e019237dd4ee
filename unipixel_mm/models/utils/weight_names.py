"""Deprecated: moved to :mod:`unipixel_mm.models.checkpoint.weight_names`."""
from unipixel_mm.deprecation import moved_names

__getattr__ = moved_names(
    __name__, {
        name: 'unipixel_mm.models.checkpoint.weight_names'
        for name in (
            'file_weight_names', 'checkpoint_weight_names')
    })
