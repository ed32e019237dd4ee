# UniPixel-3B stage 3 under DeepSpeed ZeRO-3; launching:
# docs/distributed_training.md
_base_ = [
    '../unipixel_3b_stage3.py', '../_base_/strategies/deepspeed_zero3.py'
]
