# RefCOCO+ (UNC split) testB: cIoU and gIoU.
_base_ = ['./refcoco_val.py']

test_dataloader = dict(
    dataset=dict(dataset='refcoco+', split_by='unc', split='testB'))
val_dataloader = test_dataloader
