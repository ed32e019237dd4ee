# COCO-Stuff 164k label maps (LISA's layout), classes asked for by name;
# up to 3 of them per sample. The data set's defaults are the reference's
# paths under data/; set data_root to move them.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(type='COCOStuffDataset', pipeline=_base_.train_pipeline))
