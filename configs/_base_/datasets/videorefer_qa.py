# VideoRefer-700K QA (region form): questions about up to 5 mask-prompted
# objects.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='VideoRefer700KDataset',
        ann_file='videorefer-qa-75k-wo-masks.json',
        data_prefix=dict(video_path='videos', mask_path='masks_qa'),
        filter_cfg=_base_.recipe_filter,
        pipeline=_base_.region_train_pipeline))
