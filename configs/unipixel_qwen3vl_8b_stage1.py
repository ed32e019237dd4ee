# UniPixel-Qwen3-VL-8B, stage 1 of the reference recipe: the <|ref|> prompt
# encoder (see _base_/recipes/unipixel_stage1.py), from Qwen3-VL-8B-Instruct
# and SAM2.1 Hiera-B+.
_base_ = [
    './_base_/models/unipixel_qwen3vl_8b.py',
    './_base_/recipes/unipixel_stage1.py'
]
from unipixel_mm.datasets.qwen3_configs import with_qwen3_processor  # noqa

qwen = 'model_zoo/Qwen3-VL-8B-Instruct'
model = dict(
    vision_tokenizer=dict(pretrained=qwen),
    llm=dict(pretrained=qwen),
    mask_decoder=dict(
        checkpoint='model_zoo/sam2.1/sam2.1_hiera_base_plus.pt'),
    train_cfg=_base_.stage_train_cfg)
# the recipe's data with the Qwen3-VL processor (16 px patches)
train_dataloader = dict(
    dataset=with_qwen3_processor(_base_.train_dataloader.dataset, qwen))
