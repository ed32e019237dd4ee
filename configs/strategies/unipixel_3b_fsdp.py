_base_ = ['../unipixel_3b_stage3.py', '../_base_/strategies/fsdp.py']
