# RefCOCOg (UMD split) test: cIoU and gIoU.
_base_ = ['./refcoco_val.py']

test_dataloader = dict(
    dataset=dict(dataset='refcocog', split_by='umd', split='test'))
val_dataloader = test_dataloader
