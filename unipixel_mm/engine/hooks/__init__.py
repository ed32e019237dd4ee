"""Hooks of unipixel_mm."""
from .val_at_start_hook import ValAtStartHook
from .visualization_hook import PixelVisualizationHook

__all__ = ['ValAtStartHook', 'PixelVisualizationHook']
