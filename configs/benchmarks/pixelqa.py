# PixelQA: VideoRefer-Bench-Q questions about objects given by a point or a
# box on the question's frame. The model segments the objects by id through
# the video, then answers with its own masks as mask prompts (two passes,
# UniPixel.generate_memory_turns): answer accuracy and mask J&F together.
# Prompts as the reference's PixelQA script draws them (`pixelqa_pipeline`
# of the data-set config); 'mix' gives half of a question's objects points
# and the others boxes (pixelqa_point.py / pixelqa_box.py: one kind).
_base_ = ['../_base_/datasets/videorefer_bench.py']

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='VideoReferBenchQDataset',
        task='mem',
        prompt_type='mix',
        test_mode=True,
        pipeline=_base_.pixelqa_pipeline))
test_evaluator = dict(type='PixelQAMetric', task_key='question_type')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
