# unipixel_7b_no_temporal_prompt.py on the tiny model and SyntheticShapes.
_base_ = ['../unipixel_tiny_synthetic.py']

model = dict(prompt_encoder=dict(with_temporal=False))
