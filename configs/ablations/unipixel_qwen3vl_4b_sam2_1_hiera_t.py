# Ablation: UniPixel-Qwen3-VL-4B with the smallest SAM2.1 (Hiera-T) in place
# of Hiera-B+; any of the four sizes of _base_/models/sam2_1_hiera.py swaps
# in so, over either base.
_base_ = ['../unipixel_qwen3vl_4b.py']

model = dict(
    mask_decoder=dict(
        _delete_=True,
        **_base_.sam2_1_hiera_t,
        checkpoint='model_zoo/sam2.1/' + _base_.sam2_1_checkpoints['t']))
