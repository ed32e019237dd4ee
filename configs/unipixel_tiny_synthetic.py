# A tiny UniPixel trained on SyntheticShapes on the CPU in a few minutes:
# segment "the red circle" in images and 2-frame clips of two or three
# shapes, no two of one colour or one shape. SAM2 starts from the weights
# that tools/pretrain_tiny_sam2.py trained (checkpoints/tiny_sam2_shapes.pt),
# as the real model starts from SAM2.1, and stays frozen (as in
# ablations/unipixel_7b_frozen_sam2.py): the vision tokenizer and the LLM
# learn to answer "The red circle <|seg|>." with a <|seg|> state that
# prompts SAM2.
# Validated before training and every val_interval iterations on held-out
# clips, one sample per shape, the answer generated: the mask IoU of the
# named shape and the text-swap accuracy (the same clip, the other shape
# named: does the mask move to it?).
#   python tools/train.py configs/unipixel_tiny_synthetic.py
_base_ = [
    './_base_/models/unipixel_tiny.py',
    './_base_/schedules/adamw_cosine_1e.py',
    './_base_/default_runtime.py',
]

# the tiny tokenizer, written to save_dir on first use; its token ids are
# those of the tiny model config
tiny_processor = dict(
    type='build_tiny_processor', save_dir='data/tiny_processor')

model = dict(
    mask_decoder=dict(
        checkpoint='{{ fileDirname }}/../checkpoints/tiny_sam2_shapes.pt',
        # one mask per <|seg|>: with three candidates and the loss on the
        # best, the prompt need not choose the object
        sam2_config=dict(
            multimask_output_in_sam=False,
            multimask_output_for_tracking=False)),
    train_cfg=dict(
        trainable=['vision_tokenizer', 'llm', 'prompt_encoder',
                   'memory_bank']),
    generation_cfg=dict(max_new_tokens=16))

train_pipeline = [
    dict(type='LoadFrames'),
    dict(type='SampleObjects', max_turns=1),
    dict(type='LoadObjectMasks'),
    dict(
        type='QwenVideoProcess',
        processor=tiny_processor,
        min_pixels=56 * 56,
        max_pixels=112 * 112,
        frame_budget=None),
    dict(type='SAM2Resize', size=128),
    dict(type='SamplePrompts'),
    dict(type='FormatConversation', processor=tiny_processor),
    dict(type='PackUniPixelInputs'),
]
val_pipeline = train_pipeline[:-1] + [
    dict(type='PackUniPixelInputs', keep_ori_masks=True)
]
shapes = dict(
    type='SyntheticShapesDataset',
    tasks=('seg', ),
    max_frames=2,
    min_objects=2,
    max_objects=3,
    unique=('colour', 'shape'),
    name_in_answer=True)

# the Runner looks collate functions up without the default scope: prefix it
train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='unipixel_mm.unipixel_collate'),
    dataset=dict(
        shapes, num_samples=4096, seed=0, pipeline=train_pipeline))
# every sample is drawn from its own seed (seed_per_sample): each validation,
# on any number of processes, sees the same objects, prompts and wording
val_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='unipixel_mm.unipixel_collate'),
    dataset=dict(
        shapes,
        num_samples=32,
        sample_per_object=True,
        test_mode=True,
        seed=1,
        seed_per_sample=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = [dict(type='MaskIoUMetric'), dict(type='TextSwapMetric')]
test_evaluator = val_evaluator

max_iters = 1000
warmup_iters = 10
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-2,
        by_epoch=False,
        begin=0,
        end=warmup_iters),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters),
]
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=200)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    logger=dict(interval=5, log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval=100, max_keep_ckpts=1))
custom_hooks = [dict(type='ValAtStartHook')]
env_cfg = dict(dist_cfg=dict(backend='gloo'))
# in distributed runs: the prompt encoder and the memory bank get no
# gradient from segmentation samples (no <|ref|> or <|mem|> tokens)
find_unused_parameters = True
