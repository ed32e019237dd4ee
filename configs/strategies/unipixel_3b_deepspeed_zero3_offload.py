# UniPixel-3B stage 3 under DeepSpeed ZeRO-3, optimizer on the CPU; launching:
# docs/distributed_training.md
_base_ = [
    '../unipixel_3b.py',
    '../_base_/strategies/deepspeed_zero3_offload.py'
]
