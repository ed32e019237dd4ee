# Osprey region conversations on COCO (all turns of a conversation).
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='OspreyDataset',
        ann_file='Osprey-724K/osprey_conversation.json',
        data_prefix=dict(img_path='coco/train2014'),
        filter_cfg=_base_.recipe_filter,
        pipeline=_base_.region_train_pipeline))
