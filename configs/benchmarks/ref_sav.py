# Ref-SAV valid: J, F and J&F of long object descriptions.
_base_ = ['../_base_/datasets/unipixel_pipelines.py']

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='RefSAVEvalDataset',
        skip_empty=False,
        pipeline=_base_.test_pipeline))
test_evaluator = dict(type='VideoSegMetric')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
