from .backbone_vision_tokenizer import BackboneVisionTokenizer, TimmBackbone
from .qwen3_vision_tokenizer import DeepStackVisionTokens, Qwen3VisionTokenizer
from .qwen_vision_tokenizer import QwenVisionTokenizer, VisionTokens

__all__ = [
    'QwenVisionTokenizer', 'VisionTokens', 'BackboneVisionTokenizer',
    'TimmBackbone', 'Qwen3VisionTokenizer', 'DeepStackVisionTokens'
]
