# Ablation: PixelQA's first pass on the tiny default. The object is given
# by a point or a box (a <|ref|> token) and is not named: "What colour is
# [3] <|ref|>? Please localize the relevant objects with IDs." ->
# "[3] <|seg|>". Trained and validated on this form alone; the text-swap
# metric then asks whether the mask moves when the prompt moves to another
# shape of the same clip.
_base_ = ['../unipixel_tiny_synthetic.py']

train_dataloader = dict(dataset=dict(tasks=('mem', )))
val_dataloader = dict(dataset=dict(tasks=('mem', )))
test_dataloader = val_dataloader
