# MVBench at the reference's evaluation sizes: 16 frames sampled uniformly,
# 128-256 x 28 x 28 px each (no frame-budget scaling).
_base_ = ['./unipixel_pipelines.py']

mc_pipeline = [
    dict(type='LoadFrames', num_frames=16),
    dict(type='SampleObjects', max_turns=-1),
    dict(type='LoadObjectMasks'),
    dict(
        type='QwenVideoProcess',
        processor=_base_.processor,
        min_pixels=128 * 28 * 28,
        max_pixels=256 * 28 * 28,
        frame_budget=None),
    dict(type='SAM2Resize', size=768),
    dict(type='SamplePrompts'),
    dict(type='FormatConversation', processor=_base_.processor),
    dict(type='PackUniPixelInputs'),
]
test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(type='MVBenchDataset', pipeline=mc_pipeline))
