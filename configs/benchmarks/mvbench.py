# MVBench: multiple-choice accuracy overall and per task.
_base_ = ['../_base_/datasets/mvbench.py']

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='MVBenchDataset', test_mode=True, pipeline=_base_.mc_pipeline))
test_evaluator = dict(type='MultipleChoiceMetric', task_key='question_type')
# infer_general.py generates at most 256 tokens (the model configs: 512)
generation_cfg = dict(max_new_tokens=256)
val_dataloader = test_dataloader
val_evaluator = test_evaluator
