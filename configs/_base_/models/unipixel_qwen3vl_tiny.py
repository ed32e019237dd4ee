# A tiny UniPixel on Qwen3-VL with random weights for CPU tests: the tiny
# model with the Qwen3-VL vision tokenizer and LLM of qwen3vl_tiny_parts.py.
_base_ = ['./unipixel_tiny.py', './qwen3vl_tiny_parts.py']

model = _base_.qwen3vl_tiny_parts
