"""Hooks of unipixel_mm."""
from .save_trainable_hook import SaveTrainableParamsHook
from .val_at_start_hook import ValAtStartHook
from .visualization_hook import PixelVisualizationHook

__all__ = [
    'SaveTrainableParamsHook', 'ValAtStartHook', 'PixelVisualizationHook'
]
