# Inst-IT video QA (region form): all frames (at most 10) of a video; half
# of the samples get their mask prompts on a single frame.
_base_ = ['./unipixel_pipelines.py']

inst_it_pipeline = [dict(type='LoadFrames', num_frames=-1)] + \
    _base_.region_train_pipeline[1:3] + \
    [dict(type='SingleFramePrompts', prob=0.5)] + \
    _base_.region_train_pipeline[3:]

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='InstITVideoDataset',
        task='region',
        max_frames=10,
        filter_cfg=_base_.recipe_filter,
        pipeline=inst_it_pipeline))
