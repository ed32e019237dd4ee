# UniPixel-7B stage 3 with DeepSpeed ZeRO-2 (the reference's
# scripts/zero2.json): bf16, optimizer states and gradients sharded.
# Checkpoints hold the trainable parameters only. Needs deepspeed.
#   torchrun --nproc_per_node 8 tools/train.py \
#       configs/strategies/unipixel_7b_deepspeed_zero2.py --launcher pytorch
_base_ = ['../unipixel_7b.py']

runner_type = 'FlexibleRunner'
strategy = dict(
    type='DeepSpeedStrategy',
    bf16=dict(enabled=True),
    zero_optimization=dict(
        stage=2,
        overlap_comm=True,
        contiguous_gradients=True,
        sub_group_size=1e9,
        reduce_bucket_size=5e8),
    gradient_clipping=1.0,
    train_micro_batch_size_per_gpu=1,
    gradient_accumulation_steps=4,
    exclude_frozen_parameters=True)
# DeepSpeed clips, accumulates and casts itself
optim_wrapper = dict(
    _delete_=True,
    type='DeepSpeedOptimWrapper',
    optimizer=_base_.optim_wrapper.optimizer,
    paramwise_cfg=_base_.optim_wrapper.paramwise_cfg)
