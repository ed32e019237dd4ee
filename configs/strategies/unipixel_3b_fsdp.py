# UniPixel-3B stage 3 under PyTorch FSDP (full shard); launching:
# docs/distributed_training.md
_base_ = ['../unipixel_3b_stage3.py', '../_base_/strategies/fsdp.py']
