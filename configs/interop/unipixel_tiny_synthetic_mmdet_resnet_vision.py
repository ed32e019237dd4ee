# Ablation: the tiny UniPixel of unipixel_tiny_synthetic.py with its Qwen
# ViT replaced by MMDetection's ResNet-18 (stride-16 stage, 8 base channels)
# and a projector (BackboneVisionTokenizer). Needs the interop extra:
#   bash tools/install_mm_interop.sh
#   python tools/train.py \
#       configs/interop/unipixel_tiny_synthetic_mmdet_resnet_vision.py
_base_ = ['../unipixel_tiny_synthetic.py']

model = dict(
    vision_tokenizer=dict(
        _delete_=True,
        type='BackboneVisionTokenizer',
        backbone=dict(
            type='mmdet.ResNet',
            depth=18,
            base_channels=8,
            num_stages=3,
            strides=(1, 2, 2),
            dilations=(1, 1, 1),
            out_indices=(2, ),
            norm_cfg=dict(type='BN', requires_grad=True),
            norm_eval=False),
        embed_dim=64,
        tokens_per_second=4))
