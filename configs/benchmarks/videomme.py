# Video-MME (without subtitles): multiple-choice accuracy overall and per
# video duration.
_base_ = ['../_base_/datasets/videomme.py']

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='VideoMMEDataset', test_mode=True,
        pipeline=_base_.mc_pipeline))
test_evaluator = dict(type='MultipleChoiceMetric', task_key='question_type')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
