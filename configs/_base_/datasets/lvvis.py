# LV-VIS category names as referring expressions over training videos.
# The data set's defaults are the reference's paths under data/.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(type='LVVISDataset', pipeline=_base_.train_pipeline))
