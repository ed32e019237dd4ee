# ReasonSeg test: cIoU and gIoU.
_base_ = ['./reason_seg_val.py']

test_dataloader = dict(dataset=dict(split='test'))
val_dataloader = test_dataloader
