# Ablation: UniPixel-7B without the object memory bank (no <|mem|> tokens:
# mask prompts are not pooled into the LLM's input).
_base_ = ['../unipixel_7b.py']

model = dict(memory_bank=None)
