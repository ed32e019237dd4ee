# Ref-SAV long descriptions of SA-V objects (every 4th frame annotated).
# The data set's defaults are the reference's paths under data/.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(type='RefSAVDataset', pipeline=_base_.train_pipeline))
test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(type='RefSAVEvalDataset', pipeline=_base_.test_pipeline))
