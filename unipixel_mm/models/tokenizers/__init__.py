from .backbone_vision_tokenizer import BackboneVisionTokenizer, TimmBackbone
from .qwen_vision_tokenizer import QwenVisionTokenizer, VisionTokens

__all__ = [
    'QwenVisionTokenizer', 'VisionTokens', 'BackboneVisionTokenizer',
    'TimmBackbone'
]
