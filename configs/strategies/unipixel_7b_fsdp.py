# UniPixel-7B stage 3 under PyTorch FSDP (full shard); launching:
# docs/distributed_training.md
_base_ = ['../unipixel_7b.py', '../_base_/strategies/fsdp.py']
