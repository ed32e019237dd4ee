# Stage 3 of the reference recipe: LoRA (r 128, alpha 256, dropout 0.1) on
# the q/k/v/o projections of the LLM and the ViT, plus the embeddings, the
# prompt encoder, the memory bank, the segmentation head and SAM2 (at a
# quarter of the learning rate: 5e-6) on the full mixture (stage3_dataset);
# lr 2e-5, global batch 32. Starts from the parts plus the stage 1 and 2
# checkpoints (set model.partial_checkpoints).

# the reference's tuning_modules=embedding,ref,ref_enc,msk,seg,sam2
stage_train_cfg = dict(
    trainable=[
        'llm.model.embed_tokens', 'llm.lm_head', 'prompt_encoder',
        'memory_bank', 'llm.seg_head', 'mask_decoder'
    ],
    lora=dict(r=128, alpha=256, dropout=0.1, target='qkvo_all'),
    gradient_checkpointing=True)
# 4 steps of accumulation on 8 GPUs make 32; sam2_lr 5e-6 = 2e-5 * 0.25;
# a tied lm_head (3B) is its embeddings' parameter: one group for both
stage_optim_wrapper = dict(
    optimizer=dict(lr=2e-5),
    accumulative_counts=4,
    paramwise_cfg=dict(
        custom_keys={'mask_decoder': dict(lr_mult=0.25)},
        bypass_duplicate=True))
