# The tiny UniPixel (CPU, synthetic shapes) under DeepSpeed ZeRO-3, optimizer
# on the CPU; launching: docs/distributed_training.md
_base_ = [
    '../unipixel_tiny_synthetic.py',
    '../_base_/strategies/deepspeed_zero3_offload.py'
]
