# MeViS valid_u (the split released with masks): J, F and J&F.
_base_ = ['../_base_/datasets/unipixel_pipelines.py']
data_root = 'data/mevis/valid_u'

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='MeViSDataset',
        data_root=data_root,
        ann_file='meta_expressions.json',
        mask_file='mask_dict.json',
        data_prefix=dict(img_path='JPEGImages'),
        skip_empty=False,
        test_mode=True,
        pipeline=_base_.test_pipeline))
test_evaluator = dict(type='VideoSegMetric')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
