# VideoRefer-700K short captions (region form): each object's mask prompt
# on its one annotated frame, sampled among the video's frames.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='VideoRefer700KDataset',
        ann_file='videorefer-short-caption-500k-wo-masks.json',
        data_prefix=dict(video_path='videos', mask_path='masks_short_caption'),
        single_frame='always',
        filter_cfg=_base_.recipe_filter,
        pipeline=_base_.region_train_pipeline))
