# Ref-DAVIS17 valid: J, F and J&F (expressions whose object is absent from
# every frame are kept, as the reference keeps them).
_base_ = ['../_base_/datasets/unipixel_pipelines.py']

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='RefDAVIS17Dataset',
        data_root='data/ref_davis17',
        ann_file='meta_expressions/valid/meta_expressions.json',
        mask_file='valid/mask_dict.pkl',
        skip_empty=False,
        test_mode=True,
        pipeline=_base_.test_pipeline))
test_evaluator = dict(type='VideoSegMetric')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
