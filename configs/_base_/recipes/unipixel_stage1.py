# Stage 1 of the reference recipe (scripts/launch_{3b,7b}.sh): the <|ref|>
# prompt encoder's projections and temporal encoding learn on region
# captions, everything else frozen; lr 1e-3, global batch 256.
_base_ = [
    '../datasets/unipixel_recipe_mix.py',
    '../schedules/adamw_cosine_1e_bf16.py', '../default_runtime.py'
]

# the reference's tuning_modules=ref (ref_proj, tem_pe, tem_emb, tem_proj)
stage_train_cfg = dict(
    trainable=[
        'prompt_encoder.point_proj', 'prompt_encoder.box_proj',
        'prompt_encoder.temporal_', 'prompt_encoder.out_proj'
    ],
    gradient_checkpointing=True)

train_dataloader = dict(dataset=_base_.stage1_dataset)
# batch 1 per GPU; 32 steps of accumulation on 8 GPUs make 256
optim_wrapper = dict(optimizer=dict(lr=1e-3), accumulative_counts=32)
default_hooks = dict(checkpoint=dict(by_epoch=True, interval=1))
# in distributed (DDP) runs the mixture leaves modules without gradient on
# some ranks: text-only chat uses no vision encoder, samples without <|ref|>
# or <|mem|> tokens no prompt encoder or memory bank, samples without
# <|seg|> no segmentation head or SAM2
find_unused_parameters = True
custom_hooks = [dict(type='SaveTrainableParamsHook')]
