# adamw_cosine_1e.py with bf16 autocast, as the reference trains (needs a
# GPU, NPU, MLU or MUSA device: mmengine's AmpOptimWrapper refuses the CPU).
_base_ = ['./adamw_cosine_1e.py']

optim_wrapper = dict(type='AmpOptimWrapper', dtype='bfloat16')
