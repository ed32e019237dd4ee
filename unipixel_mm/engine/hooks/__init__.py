"""Hooks of unipixel_mm."""
from .checkpoint_hook import AtomicCheckpointHook
from .save_trainable_hook import SaveTrainableParamsHook
from .val_at_start_hook import ValAtStartHook
from .visualization_hook import PixelVisualizationHook

__all__ = [
    'AtomicCheckpointHook', 'SaveTrainableParamsHook', 'ValAtStartHook',
    'PixelVisualizationHook'
]
