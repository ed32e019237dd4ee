# ReasonSeg reasoning segmentation (LISA's release): queries, sentences and
# explanations on the training images; the val split for evaluation.
_base_ = ['./unipixel_pipelines.py']
data_root = 'data/lisa/reason_seg/ReasonSeg'

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='ReasonSegDataset',
        data_root=data_root,
        split='train',
        explanatory_file='explanatory/train.json',
        pipeline=_base_.train_pipeline))
val_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='ReasonSegDataset',
        data_root=data_root,
        split='val',
        test_mode=True,
        pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
