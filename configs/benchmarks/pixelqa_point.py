# PixelQA with a centre point per object.
_base_ = ['./pixelqa.py']

test_dataloader = dict(dataset=dict(prompt_type='point'))
val_dataloader = test_dataloader
