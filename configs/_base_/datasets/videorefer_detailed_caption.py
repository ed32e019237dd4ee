# VideoRefer-700K detailed captions (region form): mask prompts on the
# annotated frames (one-frame entries: on that frame of the whole video).
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='VideoRefer700KDataset',
        ann_file='videorefer-detailed-caption-125k-wo-masks.json',
        data_prefix=dict(
            video_path='videos', mask_path='masks_detailed_caption'),
        filter_cfg=_base_.recipe_filter,
        pipeline=_base_.region_train_pipeline))
