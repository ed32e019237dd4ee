# Ref-DAVIS17 referring video segmentation (train split).
# The data set's defaults are the reference's paths under data/.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(type='RefDAVIS17Dataset', pipeline=_base_.train_pipeline))
