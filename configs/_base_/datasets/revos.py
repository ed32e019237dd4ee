# ReVOS referring and reasoning video segmentation at the reference
# recipe's sizes; 8 frames sampled uniformly per clip.
processor = 'checkpoints/UniPixel-3B'
data_root = 'data/revos'

train_pipeline = [
    dict(type='LoadFrames', num_frames=8),
    dict(type='SampleObjects', max_turns=1),
    dict(type='LoadObjectMasks'),
    dict(type='QwenVideoProcess', processor=processor, frame_budget=8),
    dict(type='SAM2Resize', size=768),
    dict(type='SamplePrompts'),
    dict(type='FormatConversation', processor=processor),
    dict(type='PackUniPixelInputs'),
]

train_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='unipixel_collate'),
    dataset=dict(
        type='ReVOSDataset',
        data_root=data_root,
        ann_file='meta_expressions_train_.json',
        mask_file='mask_dict.json',
        pipeline=train_pipeline))
