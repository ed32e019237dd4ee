from .qwen3_llm_head import Qwen3LLMHead
from .qwen_llm_head import LLMOutput, QwenLLMHead

__all__ = ['LLMOutput', 'QwenLLMHead', 'Qwen3LLMHead']
