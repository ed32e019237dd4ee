# ReVOS valid: J, F and J&F of the referring and the reasoning expressions
# (each sample's `split`, from the expression's type_id), overall as the
# mean of the two splits; expressions without a target are kept.
_base_ = ['../_base_/datasets/unipixel_pipelines.py']
data_root = 'data/revos'

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='ReVOSDataset',
        data_root=data_root,
        ann_file='meta_expressions_valid_.json',
        mask_file='mask_dict.json',
        skip_empty=False,
        test_mode=True,
        pipeline=_base_.test_pipeline))
test_evaluator = dict(
    type='VideoSegMetric', split_key='split', average_splits=True)
val_dataloader = test_dataloader
val_evaluator = test_evaluator
