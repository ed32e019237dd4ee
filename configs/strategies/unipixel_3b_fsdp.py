# UniPixel-3B stage 3 under PyTorch FSDP (full shard); launching:
# docs/distributed_training.md
_base_ = ['../unipixel_3b.py', '../_base_/strategies/fsdp.py']
