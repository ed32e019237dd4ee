"""unipixel_mm: UniPixel (pixel-level vision-language model) for OpenMMLab."""
from .version import __version__

__all__ = ['__version__']
