# LLaVA-Instruct-665K images and VideoGPT+ 576K videos (the chat form, every
# turn of a conversation), so that the model keeps its general chat; the
# text-only conversations of LLaVA-665K pass the pipeline without frames.
_base_ = ['./unipixel_pipelines.py']

train_dataloader = dict(
    **_base_.train_dataloader_cfg,
    dataset=dict(
        type='LLaVAInstructDataset',
        filter_cfg=_base_.recipe_filter,
        pipeline=_base_.region_train_pipeline))
