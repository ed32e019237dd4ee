# VideoRefer-Bench-Q: multiple-choice accuracy overall and per question type.
_base_ = ['../_base_/datasets/videorefer_bench.py']

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='VideoReferBenchQDataset',
        test_mode=True,
        pipeline=_base_.bench_pipeline))
test_evaluator = dict(type='MultipleChoiceMetric', task_key='question_type')
# infer_videorefer_q.py gives the model no SAM2 frames: a <|seg|> in an
# answer is not segmented
generation_cfg = dict(decode_masks=False)
val_dataloader = test_dataloader
val_evaluator = test_evaluator
