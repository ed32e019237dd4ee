# Your own data (docs/custom_data.md): a JSON-lines file of images or
# videos, masks and conversations, read by CustomPixelDataset.
_base_ = ['./unipixel_pipelines.py']

data_root = 'data/my_data'
train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='CustomPixelDataset',
        data_root=data_root,
        ann_file='train.jsonl',
        pipeline=_base_.train_pipeline))
