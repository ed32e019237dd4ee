# PyTorch FSDP, full shard: weights, gradients and optimizer states sharded
# over the ranks; each decoder layer of the LLM, block of the ViT and block
# of SAM2 (Hiera, memory attention, two-way transformer) is a unit gathered
# only while it runs. An AmpOptimWrapper of the stage config becomes FSDP's
# mixed precision (bf16 compute on the GPU, float32 reduction and step);
# checkpoints are folders of sharded trainable weights (UniPixelFSDPStrategy).
runner_type = 'FlexibleRunner'
strategy = dict(
    type='unipixel_mm.UniPixelFSDPStrategy',
    wrap_units=[
        'Qwen2_5_VLDecoderLayer', 'Qwen2_5_VLVisionBlock', 'MultiScaleBlock',
        'MemoryAttentionLayer', 'TwoWayAttentionBlock'
    ],
    model_wrapper=dict(sharding_strategy='FULL_SHARD', use_orig_params=True),
    exclude_frozen_parameters=True)
