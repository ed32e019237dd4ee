# Inst-IT image instances in the ref form (stage 1): a short caption of
# the instance given by a point or box.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='InstITImageDataset',
        caption='short',
        filter_cfg=_base_.recipe_filter,
        pipeline=_base_.train_pipeline))
