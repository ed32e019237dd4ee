# VideoRefer-700K QA in the memory (PixelQA) form: the answer becomes an
# option and the model segments the question's objects, given by points
# or boxes, by id; entries with one annotated frame are left out.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='VideoRefer700KDataset',
        ann_file='videorefer-qa-75k-wo-masks.json',
        data_prefix=dict(video_path='videos', mask_path='masks_qa'),
        task='mem',
        single_frame='never',
        filter_cfg=_base_.recipe_filter,
        pipeline=_base_.train_pipeline))
