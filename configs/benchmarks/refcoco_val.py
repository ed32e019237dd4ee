# RefCOCO (UNC split) val: referring image segmentation, cIoU and gIoU.
# Give the model with --model-config (see README.md).
_base_ = ['../_base_/datasets/unipixel_pipelines.py']
data_root = 'data/refer_seg'

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='RefCOCODataset',
        data_root=data_root,
        dataset='refcoco',
        split_by='unc',
        split='val',
        data_prefix=dict(img_path='images/mscoco/images/train2014'),
        test_mode=True,
        pipeline=_base_.test_pipeline))
test_evaluator = dict(type='RefSegMetric')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
