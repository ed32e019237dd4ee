# The tiny UniPixel (CPU, synthetic shapes) under DeepSpeed ZeRO-2; launching:
# docs/distributed_training.md
_base_ = [
    '../unipixel_tiny_synthetic.py', '../_base_/strategies/deepspeed_zero2.py'
]
