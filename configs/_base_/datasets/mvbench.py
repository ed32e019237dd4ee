# MVBench at the reference's evaluation sizes (infer_general.py): a video
# file is sampled by Qwen2.5-VL's fps rule (2 frames per second, 4 to 16
# frames, second_per_grid_ts from the sampled rate); the frame-folder task
# (TVQA) takes 32 frames (the data set's frame_sampling, 2 fps told);
# 128-256 x 28 x 28 px a frame (no frame-budget scaling).
# The deliberate alternative, 16 uniform frames told 2 fps:
#   dict(type='LoadFrames', num_frames=16) as the first step.
_base_ = ['./unipixel_pipelines.py']

mc_pipeline = [
    dict(
        type='LoadFrames',
        sample_type='fps',
        fps=2.0,
        min_frames=4,
        max_frames=16),
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
