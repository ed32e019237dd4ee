# The tiny UniPixel (CPU, synthetic shapes) under PyTorch FSDP (full shard);
# launching: docs/distributed_training.md
_base_ = ['../unipixel_tiny_synthetic.py', '../_base_/strategies/fsdp.py']

# sharded weights are gathered module by module in step on all ranks, but
# the ranks of a validation step run different modules (frames, objects):
# no validation while training; test the exported model with tools/test.py
val_dataloader = val_cfg = val_evaluator = None
custom_hooks = []
# the data-type-grouped sampler, images and 2-frame clips in separate steps
train_dataloader = dict(
    batch_size=2,
    sampler=dict(
        _delete_=True, type='DataTypeGroupSampler', batch_size=2,
        by_medium=True))
