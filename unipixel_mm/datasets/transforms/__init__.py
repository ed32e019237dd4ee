from .formatting import FormatConversation, PackUniPixelInputs
from .loading import LoadFrames, LoadObjectMasks
from .processing import (QwenVideoProcess, SAM2Resize, SampleObjects,
                         SamplePrompts, SingleFramePrompts)

__all__ = [
    'LoadFrames', 'LoadObjectMasks', 'SampleObjects', 'QwenVideoProcess',
    'SAM2Resize', 'SamplePrompts', 'SingleFramePrompts', 'FormatConversation',
    'PackUniPixelInputs'
]
