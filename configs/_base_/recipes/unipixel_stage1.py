# Stage 1 of the reference recipe (scripts/launch_{3b,7b}.sh): the <|ref|>
# prompt encoder's projections and temporal encoding learn on region
# captions (stage1_dataset of the mixture), everything else frozen; lr 1e-3,
# global batch 256 (unipixel_recipe.py).

# the reference's tuning_modules=ref (ref_proj, tem_pe, tem_emb, tem_proj)
stage_train_cfg = dict(
    trainable=[
        'prompt_encoder.point_proj', 'prompt_encoder.box_proj',
        'prompt_encoder.temporal_', 'prompt_encoder.out_proj'
    ],
    gradient_checkpointing=True)
