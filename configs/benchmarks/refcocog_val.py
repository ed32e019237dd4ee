# RefCOCOg (UMD split) val: cIoU and gIoU.
_base_ = ['./refcoco_val.py']

test_dataloader = dict(
    dataset=dict(dataset='refcocog', split_by='umd', split='val'))
val_dataloader = test_dataloader
