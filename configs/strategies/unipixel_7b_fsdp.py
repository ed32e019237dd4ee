_base_ = ['../unipixel_7b_stage3.py', '../_base_/strategies/fsdp.py']
