# unipixel_7b_frozen_sam2.py on the tiny model and SyntheticShapes: all but
# SAM2 trains.
_base_ = ['../unipixel_tiny_synthetic.py']

model = dict(
    train_cfg=dict(
        trainable=['vision_tokenizer', 'llm', 'prompt_encoder',
                   'memory_bank']))
