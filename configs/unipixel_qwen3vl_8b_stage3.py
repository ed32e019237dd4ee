# UniPixel-Qwen3-VL-8B, stage 3 of the reference recipe: LoRA, new modules
# and SAM2 (see _base_/recipes/unipixel_stage3.py), from Qwen3-VL-8B-Instruct
# and SAM2.1 Hiera-B+ plus the trainable parameters saved by stages 1 and 2.
_base_ = [
    './_base_/models/unipixel_qwen3vl_8b.py',
    './_base_/recipes/unipixel_stage3.py'
]
from unipixel_mm.datasets.qwen3_configs import with_qwen3_processor  # noqa

qwen = 'model_zoo/Qwen3-VL-8B-Instruct'
model = dict(
    vision_tokenizer=dict(pretrained=qwen),
    llm=dict(pretrained=qwen),
    mask_decoder=dict(
        checkpoint='model_zoo/sam2.1/sam2.1_hiera_base_plus.pt'),
    partial_checkpoints=[
        'work_dirs/unipixel_qwen3vl_8b_stage1/epoch_1.pth',
        'work_dirs/unipixel_qwen3vl_8b_stage2/epoch_1.pth'
    ],
    train_cfg=_base_.stage_train_cfg)
# the recipe's data with the Qwen3-VL processor (16 px patches)
train_dataloader = dict(
    dataset=with_qwen3_processor(_base_.train_dataloader.dataset, qwen))
