# UniPixel-3B, stage 3 of the reference recipe: LoRA + new
# modules + SAM2 (see _base_/recipes/unipixel_stage3.py), from the parts
# plus the trainable parameters saved by stages 1 and 2 (work dirs below).
_base_ = [
    './_base_/models/unipixel_3b.py',
    './_base_/recipes/unipixel_stage3.py'
]

qwen = 'model_zoo/Qwen2.5-VL-3B-Instruct'
model = dict(
    vision_tokenizer=dict(pretrained=qwen),
    llm=dict(pretrained=qwen),
    mask_decoder=dict(
        checkpoint='model_zoo/sam2.1/sam2.1_hiera_base_plus.pt'),
    partial_checkpoints=[
        'work_dirs/unipixel_3b_stage1/epoch_1.pth',
        'work_dirs/unipixel_3b_stage2/epoch_1.pth'
    ],
    train_cfg=_base_.stage_train_cfg)
