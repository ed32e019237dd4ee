# PixelQA: VideoRefer-Bench-Q questions in the memory form, whose objects
# the model segments (by id) while it answers: answer accuracy and mask
# J&F together.
_base_ = ['../_base_/datasets/videorefer_bench.py']

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='VideoReferBenchQDataset',
        task='mem',
        test_mode=True,
        pipeline=_base_.bench_pipeline[:-1] +
        [dict(type='PackUniPixelInputs', keep_ori_masks=True)]))
test_evaluator = dict(type='PixelQAMetric', task_key='question_type')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
