"""Visualizers of unipixel_mm."""
from .pixel_visualizer import (PALETTE, UniPixelVisualizer, blend,
                               object_color, write_image)

__all__ = [
    'UniPixelVisualizer', 'PALETTE', 'object_color', 'blend', 'write_image'
]
