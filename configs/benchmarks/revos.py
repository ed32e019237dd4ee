# ReVOS valid: J, F, J&F and the robustness R of the referring and the
# reasoning expressions (each sample's `split`, from the expression's
# type_id), overall as the mean of the two splits; expressions without a
# target are kept. R needs `mask_dict_foreground.json` (the union of each
# video's objects); without it R is left out.
_base_ = ['../_base_/datasets/unipixel_pipelines.py']
data_root = 'data/revos'

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='ReVOSDataset',
        data_root=data_root,
        ann_file='meta_expressions_valid_.json',
        mask_file='mask_dict.json',
        foreground_file='mask_dict_foreground.json',
        skip_empty=False,
        test_mode=True,
        pipeline=_base_.test_pipeline))
test_evaluator = dict(
    type='VideoSegMetric', split_key='split', average_splits=True)
val_dataloader = test_dataloader
val_evaluator = test_evaluator
