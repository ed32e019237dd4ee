from .base_pixel_dataset import TASKS, BasePixelDataset
from .collate import unipixel_collate
from .custom import CustomPixelDataset
from .groundmore import GroundMoReDataset
from .inst_it import InstITImageDataset, InstITVideoDataset
from .mixed import MixedPixelDataset
from .multimodal import LLaVAInstructDataset, MVBenchDataset, VideoMMEDataset
from .osprey import OspreyDataset
from .qwen3_processor import build_tiny_qwen3_processor
from .reason_seg import ReasonSegDataset
from .ref_sav import RefSAVDataset, RefSAVEvalDataset
from .refcoco import RefCOCODataset
from .referring_video import (LVVISDataset, MeViSDataset, RefDAVIS17Dataset,
                              ReferringVideoDataset, RefYouTubeVOSDataset,
                              ReVOSDataset)
from .samplers import DataTypeGroupSampler, sample_data_type
from .semantic_seg import (ADE20KDataset, COCOPartDataset, COCOStuffDataset,
                           LabelMapDataset, MapillaryDataset, PACOLVISDataset,
                           PASCALPartDataset)
from .synthetic_shapes import SyntheticShapesDataset
from .tokenizer import (IGNORE_INDEX, MEM_TOKEN, REF_TOKEN, SEG_TOKEN,
                        build_processor, build_tiny_processor, get_processor)
from .transforms import *  # noqa: F401,F403
from .vicas import ViCaSDataset
from .videorefer import (VideoRefer700KDataset, VideoReferBenchDDataset,
                         VideoReferBenchQDataset)

__all__ = [
    'TASKS', 'BasePixelDataset', 'CustomPixelDataset',
    'SyntheticShapesDataset', 'RefCOCODataset',
    'ReasonSegDataset', 'LabelMapDataset', 'ADE20KDataset',
    'COCOStuffDataset', 'MapillaryDataset', 'COCOPartDataset',
    'PACOLVISDataset', 'PASCALPartDataset', 'ReferringVideoDataset',
    'MeViSDataset', 'ReVOSDataset', 'LVVISDataset', 'RefYouTubeVOSDataset',
    'RefDAVIS17Dataset', 'RefSAVDataset', 'RefSAVEvalDataset',
    'GroundMoReDataset', 'ViCaSDataset', 'VideoRefer700KDataset',
    'VideoReferBenchQDataset', 'VideoReferBenchDDataset', 'InstITImageDataset',
    'InstITVideoDataset', 'OspreyDataset', 'LLaVAInstructDataset',
    'MVBenchDataset', 'VideoMMEDataset', 'MixedPixelDataset', 'REF_TOKEN',
    'SEG_TOKEN', 'MEM_TOKEN', 'IGNORE_INDEX', 'build_processor',
    'build_tiny_processor', 'build_tiny_qwen3_processor', 'get_processor',
    'unipixel_collate', 'DataTypeGroupSampler', 'sample_data_type'
]
