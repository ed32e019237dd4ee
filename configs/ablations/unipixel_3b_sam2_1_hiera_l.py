# Ablation: UniPixel-3B (Qwen2.5-VL) with the largest SAM2.1 (Hiera-L) in
# place of Hiera-B+, from _base_/models/sam2_1_hiera.py.
_base_ = ['../unipixel_3b.py', '../_base_/models/sam2_1_hiera.py']

model = dict(
    mask_decoder=dict(
        _delete_=True,
        **_base_.sam2_1_hiera_l,
        checkpoint='model_zoo/sam2.1/' + _base_.sam2_1_checkpoints['l']))
