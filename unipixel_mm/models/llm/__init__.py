from .qwen_llm_head import LLMOutput, QwenLLMHead

__all__ = ['LLMOutput', 'QwenLLMHead']
