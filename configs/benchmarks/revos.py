# ReVOS valid, as eval_revos.py: J, F, J&F, the accuracy A and the
# robustness R of the referring (type_id 0) and the reasoning (type_id 1)
# expressions, each expression's scores rounded to 2 decimals (in percent)
# before averaging, overall as the mean of the two splits; other type_ids
# count nowhere; expressions without a target are kept. A and R need
# `mask_dict_foreground.json` (each video's objects, channels summed);
# without it they are left out.
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
    type='VideoSegMetric',
    split_key='split',
    average_splits=True,
    round_digits=2)
val_dataloader = test_dataloader
val_evaluator = test_evaluator
