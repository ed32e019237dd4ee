# RefCOCO (UNC split) testA: cIoU and gIoU.
_base_ = ['./refcoco_val.py']

test_dataloader = dict(
    dataset=dict(dataset='refcoco', split_by='unc', split='testA'))
val_dataloader = test_dataloader
