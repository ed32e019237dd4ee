# Ablation: the tiny UniPixel of unipixel_tiny_synthetic.py with its Qwen
# ViT replaced by a timm CNN and a projector (BackboneVisionTokenizer); data,
# schedule and evaluation are unchanged.
#   python tools/train.py \
#       configs/interop/unipixel_tiny_synthetic_timm_vision.py
_base_ = ['../unipixel_tiny_synthetic.py']

model = dict(
    vision_tokenizer=dict(
        _delete_=True,
        type='BackboneVisionTokenizer',
        backbone=dict(
            type='TimmBackbone', model_name='test_resnet', out_indices=(2, )),
        embed_dim=64,
        tokens_per_second=4))
