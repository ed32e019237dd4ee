# UniPixel-7B stage 3 with PyTorch FSDP: parameters, gradients and
# optimizer states sharded, each decoder layer of the LLM and block of the
# ViT its own unit, bf16 compute.
#   torchrun --nproc_per_node 8 tools/train.py \
#       configs/strategies/unipixel_7b_fsdp.py --launcher pytorch
_base_ = ['../unipixel_7b.py']

runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        auto_wrap_policy=dict(
            type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy',
            min_num_params=int(1e7)),
        # frozen and trainable parameters share the flattened units
        use_orig_params=True,
        mixed_precision=dict(
            param_dtype='bfloat16',
            reduce_dtype='float32',
            buffer_dtype='float32')))
# FSDP's mixed precision casts: no autocast
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=_base_.optim_wrapper.optimizer,
    clip_grad=_base_.optim_wrapper.clip_grad,
    accumulative_counts=_base_.optim_wrapper.accumulative_counts,
    paramwise_cfg=_base_.optim_wrapper.paramwise_cfg)
