_base_ = ['../unipixel_tiny_synthetic.py', '../_base_/strategies/deepspeed_zero3.py']
