# DeepSpeed ZeRO-3 (the reference's scripts/zero3.json): the weights too are
# sharded and gathered layer by layer as they run. The stage config's
# optim_wrapper becomes DeepSpeed's settings (see UniPixelDeepSpeedStrategy);
# checkpoints are DeepSpeed folders of the trainable weights' shards.
runner_type = 'FlexibleRunner'
strategy = dict(
    type='unipixel_mm.UniPixelDeepSpeedStrategy',
    zero_optimization=dict(
        stage=3,
        overlap_comm=True,
        contiguous_gradients=True,
        sub_group_size=1e9,
        reduce_bucket_size=5e8,
        stage3_prefetch_bucket_size=5e8,
        stage3_param_persistence_threshold=1e5,
        stage3_max_live_parameters=1e9,
        stage3_max_reuse_distance=1e9),
    exclude_frozen_parameters=True)
