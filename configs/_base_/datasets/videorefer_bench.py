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
# PixelQA: the -D frames; prompts as the reference's PixelQA script draws
# them (the centre point of the mask / its exact box); the answered first
# turn keeps the chat template's newline after <|im_end|> (infer_pixelqa.py
# does not strip it, unlike the training data); the masks at their original
# size for J&F
pixelqa_changes = dict(
    SamplePrompts=dict(point_sampling='center', box_noise=0),
    FormatConversation=dict(strip=False),
    PackUniPixelInputs=dict(keep_ori_masks=True))
pixelqa_pipeline = [
    dict(step, **pixelqa_changes.get(step['type'], {}))
    for step in large_pipeline
]
test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(type='VideoReferBenchQDataset', pipeline=bench_pipeline))
videorefer_bench_d = dict(
    type='VideoReferBenchDDataset', pipeline=large_pipeline)
