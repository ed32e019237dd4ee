# UniPixel-7B, stage 1 of the reference recipe: the <|ref|> prompt encoder
# (see _base_/recipes/unipixel_stage1.py).
_base_ = [
    './_base_/models/unipixel_7b.py',
    './_base_/datasets/unipixel_recipe_mix.py',
    './_base_/recipes/unipixel_recipe.py',
    './_base_/recipes/unipixel_stage1.py'
]

qwen = 'model_zoo/Qwen2.5-VL-7B-Instruct'
model = dict(
    vision_tokenizer=dict(pretrained=qwen),
    llm=dict(pretrained=qwen),
    mask_decoder=dict(
        checkpoint='model_zoo/sam2.1/sam2.1_hiera_base_plus.pt'),
    train_cfg=_base_.stage_train_cfg)
train_dataloader = dict(dataset=_base_.stage1_dataset)
