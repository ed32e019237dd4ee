# ReasonSeg val: reasoning segmentation, cIoU and gIoU.
_base_ = ['../_base_/datasets/unipixel_pipelines.py']
data_root = 'data/lisa/reason_seg/ReasonSeg'

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='ReasonSegDataset',
        data_root=data_root,
        split='val',
        test_mode=True,
        pipeline=_base_.test_pipeline))
test_evaluator = dict(type='RefSegMetric')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
