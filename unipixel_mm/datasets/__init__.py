from .base_pixel_dataset import TASKS, BasePixelDataset
from .collate import unipixel_collate
from .refcoco import RefCOCODataset
from .referring_video import MeViSDataset, ReferringVideoDataset, ReVOSDataset
from .synthetic_shapes import SyntheticShapesDataset
from .tokenizer import (IGNORE_INDEX, MEM_TOKEN, REF_TOKEN, SEG_TOKEN,
                        build_processor, build_tiny_processor, get_processor)
from .transforms import *  # noqa: F401,F403

__all__ = [
    'TASKS', 'BasePixelDataset', 'SyntheticShapesDataset', 'RefCOCODataset',
    'ReferringVideoDataset', 'MeViSDataset', 'ReVOSDataset', 'REF_TOKEN',
    'SEG_TOKEN', 'MEM_TOKEN', 'IGNORE_INDEX', 'build_processor',
    'build_tiny_processor', 'get_processor', 'unipixel_collate'
]
