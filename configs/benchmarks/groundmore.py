# GroundMoRe test: J, F and J&F overall and per question type (`q_type`),
# 20 frames spread over each video by the data set, all of them kept.
_base_ = ['../_base_/datasets/groundmore.py']

# a frame sampled twice (clips under 20 frames) is scored with the mask of its
# last step: infer_seg.py writes one PNG per frame name and
# eval_groundmore.py reads it back
test_evaluator = dict(
    type='VideoSegMetric', split_key='q_type', duplicate_frames='last')
val_dataloader = dict(
    **_base_.test_dataloader_cfg, dataset=_base_.test_dataloader.dataset)
val_evaluator = test_evaluator
