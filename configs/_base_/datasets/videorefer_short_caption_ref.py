# VideoRefer-700K short captions in the ref form (stage 1): the object
# given by a point or box on its annotated frame.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='VideoRefer700KDataset',
        ann_file='videorefer-short-caption-500k-wo-masks.json',
        data_prefix=dict(video_path='videos', mask_path='masks_short_caption'),
        task='ref',
        single_frame='always',
        max_objects=-1,
        min_ratio=0,
        filter_cfg=_base_.recipe_filter,
        pipeline=_base_.train_pipeline))
