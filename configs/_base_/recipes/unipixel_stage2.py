# Stage 2 of the reference recipe: the segmentation head learns on
# referring segmentation (RefCOCO family, Ref-YouTube-VOS; stage2_dataset of
# the mixture) with SAM2 frozen; lr 1e-3, global batch 256
# (unipixel_recipe.py).

# the reference's tuning_modules=seg
stage_train_cfg = dict(trainable=['llm.seg_head'], gradient_checkpointing=True)
