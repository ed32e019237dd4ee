# UniPixel-7B stage 3 under DeepSpeed ZeRO-2; launching:
# docs/distributed_training.md
_base_ = [
    '../unipixel_7b.py', '../_base_/strategies/deepspeed_zero2.py'
]
