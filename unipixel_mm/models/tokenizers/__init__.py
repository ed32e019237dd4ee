from .qwen_vision_tokenizer import QwenVisionTokenizer, VisionTokens

__all__ = ['QwenVisionTokenizer', 'VisionTokens']
