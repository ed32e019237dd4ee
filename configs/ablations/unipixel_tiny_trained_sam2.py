# Ablation: the tiny default (unipixel_tiny_synthetic.py, SAM2 frozen as in
# unipixel_7b_frozen_sam2.py) with SAM2 trained too, from its pretrained
# weights.
_base_ = ['../unipixel_tiny_synthetic.py']

model = dict(train_cfg=None)
