# PixelQA: VideoRefer-Bench-Q questions about objects given by a point or a
# box on the question's frame. The model segments the objects by id through
# the video, then answers with its own masks as mask prompts (two passes,
# UniPixel.generate_memory_turns): answer accuracy and mask J&F together.
# Prompts as the reference's PixelQA script draws them: the centre point of
# the mask / its exact box; 'mix' gives half of a question's objects points
# and the others boxes (pixelqa_point.py / pixelqa_box.py: one kind). The
# answered first turn keeps the chat template's newline after <|im_end|>
# (infer_pixelqa.py does not strip it, unlike the training data).
_base_ = ['../_base_/datasets/videorefer_bench.py']

pixelqa_steps = dict(
    SamplePrompts=dict(
        type='SamplePrompts', point_sampling='center', box_noise=0),
    FormatConversation=dict(
        type='FormatConversation', processor=_base_.processor, strip=False))
pixelqa_pipeline = [
    pixelqa_steps.get(step['type'], step)
    for step in _base_.large_pipeline[:-1]
] + [dict(type='PackUniPixelInputs', keep_ori_masks=True)]

test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='VideoReferBenchQDataset',
        task='mem',
        prompt_type='mix',
        test_mode=True,
        pipeline=pixelqa_pipeline))
test_evaluator = dict(type='PixelQAMetric', task_key='question_type')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
