# DeepSpeed ZeRO-2 (the reference's scripts/zero2.json): the optimizer
# states and gradients sharded over the ranks, the weights replicated. The
# stage config's optim_wrapper becomes DeepSpeed's gradient clipping,
# accumulation and bf16 (see UniPixelDeepSpeedStrategy); checkpoints are
# DeepSpeed folders with the trainable weights only.
runner_type = 'FlexibleRunner'
strategy = dict(
    type='unipixel_mm.UniPixelDeepSpeedStrategy',
    zero_optimization=dict(
        stage=2,
        overlap_comm=True,
        contiguous_gradients=True,
        sub_group_size=1e9,
        reduce_bucket_size=5e8),
    exclude_frozen_parameters=True)
