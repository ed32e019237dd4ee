# MVBench: multiple-choice accuracy overall and per task.
_base_ = ['../_base_/datasets/mvbench.py']

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='MVBenchDataset', test_mode=True, pipeline=_base_.mc_pipeline))
test_evaluator = dict(type='MultipleChoiceMetric', task_key='question_type')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
