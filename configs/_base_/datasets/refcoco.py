# RefCOCO / RefCOCO+ / RefCOCOg / RefCLEF referring segmentation at the
# reference recipe's sizes (Qwen frames of 128-256 x 28 x 28 px scaled by
# the 8-frame budget, 768 px SAM2 frames). Set `processor` to the model
# directory (its tokenizer and processor configs).
processor = 'checkpoints/UniPixel-3B'
data_root = 'data/refer_seg'

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
test_pipeline = train_pipeline[:-1] + [
    dict(type='PackUniPixelInputs', keep_ori_masks=True)
]

train_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='unipixel_collate'),
    dataset=dict(
        type='RefCOCODataset',
        data_root=data_root,
        dataset='refcoco',
        split_by='unc',
        split='train',
        data_prefix=dict(img_path='images/mscoco/images/train2014'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='unipixel_collate'),
    dataset=dict(
        type='RefCOCODataset',
        data_root=data_root,
        dataset='refcoco',
        split_by='unc',
        split='val',
        data_prefix=dict(img_path='images/mscoco/images/train2014'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
