from .pixel_data_sample import PixelDataSample

__all__ = ['PixelDataSample']
