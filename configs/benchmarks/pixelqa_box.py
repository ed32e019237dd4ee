# PixelQA with the exact box of each object.
_base_ = ['./pixelqa.py']

test_dataloader = dict(dataset=dict(prompt_type='box'))
val_dataloader = test_dataloader
