# unipixel_7b_no_memory_bank.py on the tiny model and SyntheticShapes.
_base_ = ['../unipixel_tiny_synthetic.py']

model = dict(memory_bank=None)
