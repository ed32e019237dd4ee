# GroundMoRe motion-grounded questions answered with a mask.
# The data set's defaults are the reference's paths under data/.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(type='GroundMoReDataset', pipeline=_base_.train_pipeline))
# evaluation: 20 frames spread over each test video (by the data set), all
# of them segmented, 16 of them seen by the LLM
test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='GroundMoReDataset',
        ann_file='test_v2.json',
        test_mode=True,
        pipeline=_base_.test_pipeline))
