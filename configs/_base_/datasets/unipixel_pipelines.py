# The data pipelines of the reference recipe (stage 3): 8 frames sampled at
# random per clip, up to 3 conversation turns per sample, Qwen frames of
# 128-256 x 28 x 28 px scaled by the 8-frame budget (an image gets 2048 x 28
# x 28 px), 768 px SAM2 frames and at most 40960 tokens. Evaluation follows
# the reference's: the LLM sees 16 frames sampled uniformly (16 x 128-256 x
# 28 x 28 px; an image gets 4096 x 28 x 28 px) while SAM2 segments every
# frame, and the masks stay at the original size. Set
# `processor` to the model directory (its tokenizer and processor configs)
# before the data-set configs that inherit this one use it.
processor = 'checkpoints/UniPixel-3B'

train_pipeline = [
    dict(type='LoadFrames', num_frames=8, sample_type='random'),
    dict(type='SampleObjects', max_turns=3),
    dict(type='LoadObjectMasks'),
    dict(type='QwenVideoProcess', processor=processor, frame_budget=8),
    dict(type='SAM2Resize', size=768),
    dict(type='SamplePrompts'),
    dict(type='FormatConversation', processor=processor, max_length=40960),
    dict(type='PackUniPixelInputs'),
]
# the recipe's sample filters (max_num_words 200, max_video_frames 500,
# max_video_len 300 s)
recipe_filter = dict(max_num_words=200, max_num_frames=500, max_duration=300)

# region data (mask prompts): every turn of a conversation is kept
region_train_pipeline = [
    step if step['type'] != 'SampleObjects' else dict(
        type='SampleObjects', max_turns=-1) for step in train_pipeline
]
test_pipeline = [
    dict(type='LoadFrames', num_frames=-1),
    dict(type='SampleObjects', max_turns=-1),
    dict(type='LoadObjectMasks'),
    dict(
        type='QwenVideoProcess',
        processor=processor,
        frame_budget=16,
        num_frames=16),
    dict(type='SAM2Resize', size=768),
    dict(type='SamplePrompts'),
    dict(type='FormatConversation', processor=processor),
    dict(type='PackUniPixelInputs', keep_ori_masks=True),
]

# every step draws all ranks' samples from one data type (task form, or
# text-only), as the reference's group_by_data_type: the kinds use different
# modules, and DeepSpeed / FSDP / the mask loss's collective need the ranks
# in step; the sampler's batch_size is the dataloader's
train_dataloader_cfg = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    # every step on all ranks of one data type (as the reference) and one
    # medium: under DeepSpeed ZeRO and FSDP the ranks of a step must run the
    # same modules, and SAM2's memory modules run on videos only
    sampler=dict(
        type='DataTypeGroupSampler', batch_size=1, shuffle=True,
        by_medium=True),
    collate_fn=dict(type='unipixel_mm.unipixel_collate'))
test_dataloader_cfg = dict(
    batch_size=1,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='unipixel_mm.unipixel_collate'))
