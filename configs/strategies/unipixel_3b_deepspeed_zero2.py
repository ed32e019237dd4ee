# UniPixel-3B stage 3 under DeepSpeed ZeRO-2; launching:
# docs/distributed_training.md
_base_ = [
    '../unipixel_3b.py', '../_base_/strategies/deepspeed_zero2.py'
]
