# Inst-IT video QA in the memory (PixelQA) form: all frames (at most 8)
# of a video, the question's instances given by points or boxes.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='InstITVideoDataset',
        task='mem',
        max_frames=8,
        filter_cfg=_base_.recipe_filter,
        pipeline=[dict(type='LoadFrames', num_frames=-1)] +
        _base_.train_pipeline[1:]))
