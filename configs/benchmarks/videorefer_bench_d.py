# VideoRefer-Bench-D: detailed region captions scored by an LLM judge behind
# an OpenAI-compatible endpoint (see RegionCaptionJudgeMetric for the
# `judge` options and the API key).
_base_ = ['../_base_/datasets/videorefer_bench.py']

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        _delete_=True,
        type='VideoReferBenchDDataset',
        test_mode=True,
        pipeline=_base_.bench_pipeline))
test_evaluator = dict(type='RegionCaptionJudgeMetric')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
