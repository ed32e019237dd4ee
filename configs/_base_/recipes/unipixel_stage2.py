# Stage 2 of the reference recipe: the segmentation head learns on
# referring segmentation (RefCOCO family, Ref-YouTube-VOS) with SAM2
# frozen; lr 1e-3, global batch 256.
_base_ = ['./unipixel_stage1.py']

# the reference's tuning_modules=seg
stage_train_cfg = dict(_delete_=True, trainable=['llm.seg_head'],
                       gradient_checkpointing=True)
train_dataloader = dict(dataset=_base_.stage2_dataset)
