# Osprey positive / negative region questions on LVIS (COCO images).
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='OspreyDataset',
        ann_file='Osprey-724K/osprey_lvis_positive_negative.json',
        data_prefix=dict(img_path='coco/imgs'),
        filter_cfg=_base_.recipe_filter,
        pipeline=_base_.region_train_pipeline))
