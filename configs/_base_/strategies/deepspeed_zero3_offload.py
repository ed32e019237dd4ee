# DeepSpeed ZeRO-3 with the optimizer states and step on the CPU (the
# reference's scripts/zero3_offload.json without parameter offload): the
# least GPU memory, the optimizer step paced by the CPU. AdamW becomes
# DeepSpeedCPUAdam (see UniPixelDeepSpeedStrategy).
_base_ = ['./deepspeed_zero3.py']

strategy = dict(
    zero_optimization=dict(
        offload_optimizer=dict(device='cpu', pin_memory=True)))
