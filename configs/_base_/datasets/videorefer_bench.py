# VideoRefer-Bench-Q (multiple choice), -D (detailed descriptions) and
# PixelQA at the reference's evaluation sizes: 16 frames sampled uniformly
# among the annotated ones (the prompt frame always kept), each frame
# 100-144 x 28 x 28 px for -Q (infer_videorefer_q.py) and 128-256 x 28 x 28
# px for -D and PixelQA (infer_videorefer_d.py, infer_pixelqa.py), the
# largest area scaled by the 16-frame budget.
_base_ = ['./unipixel_pipelines.py']

bench_pipeline = [
    dict(type='LoadFrames', num_frames=16),
    dict(type='SampleObjects', max_turns=-1),
    dict(type='LoadObjectMasks'),
    dict(
        type='QwenVideoProcess',
        processor=_base_.processor,
        min_pixels=100 * 28 * 28,
        max_pixels=144 * 28 * 28,
        frame_budget=16),
    dict(type='SAM2Resize', size=768),
    dict(type='SamplePrompts'),
    dict(type='FormatConversation', processor=_base_.processor),
    dict(type='PackUniPixelInputs'),
]
# -D and PixelQA: the larger frames
large_pipeline = [
    dict(step, min_pixels=128 * 28 * 28, max_pixels=256 * 28 * 28)
    if step['type'] == 'QwenVideoProcess' else step
    for step in bench_pipeline
]
test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(type='VideoReferBenchQDataset', pipeline=bench_pipeline))
videorefer_bench_d = dict(
    type='VideoReferBenchDDataset', pipeline=large_pipeline)
