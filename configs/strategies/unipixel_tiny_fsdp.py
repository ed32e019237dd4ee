# The tiny UniPixel (CPU, synthetic shapes) under PyTorch FSDP (full shard);
# launching: docs/distributed_training.md
_base_ = ['../unipixel_tiny_synthetic.py', '../_base_/strategies/fsdp.py']
