# GroundMoRe test: J, F and J&F overall and per question type (`q_type`),
# 20 frames spread over each video by the data set, all of them kept.
_base_ = ['../_base_/datasets/groundmore.py']

test_evaluator = dict(type='VideoSegMetric', split_key='q_type')
val_dataloader = dict(
    **_base_.test_dataloader_cfg, dataset=_base_.test_dataloader.dataset)
val_evaluator = test_evaluator
