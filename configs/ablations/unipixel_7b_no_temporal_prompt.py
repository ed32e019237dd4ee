# Ablation: UniPixel-7B whose <|ref|> prompt encoder ignores the frame a
# prompt is drawn on (no temporal encoding or embedding).
_base_ = ['../unipixel_7b.py']

model = dict(prompt_encoder=dict(with_temporal=False))
