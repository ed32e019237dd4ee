# VideoRefer-Bench-Q (multiple choice) and -D (detailed descriptions) at the
# reference's evaluation sizes: 16 frames sampled uniformly among the
# annotated ones (the prompt frame always kept), 100-144 x 28 x 28 px
# frames scaled by the 16-frame budget.
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
test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(type='VideoReferBenchQDataset', pipeline=bench_pipeline))
videorefer_bench_d = dict(
    type='VideoReferBenchDDataset', pipeline=bench_pipeline)
