from .sam2_builder import build_sam2_base, resolve_sam2_config_path
from .sam2_decoder import HeadOutput, SAM2Decoder
from .sam2_stream import SAM2StreamTracker, StreamMasks

__all__ = [
    'build_sam2_base', 'resolve_sam2_config_path', 'HeadOutput', 'SAM2Decoder',
    'SAM2StreamTracker', 'StreamMasks'
]
