# Fine-tune UniPixel-3B on your own data (docs/custom_data.md): LoRA on the
# LLM's attention, the new modules trained, SAM2 frozen.
#   python tools/train.py configs/unipixel_3b_custom.py
_base_ = [
    './_base_/models/unipixel_3b.py', './_base_/datasets/custom_pixel.py',
    './_base_/schedules/adamw_cosine_1e_bf16.py', './_base_/default_runtime.py'
]

model = dict(
    # the released model (HuggingFace format) or a .pth of a previous run
    partial_checkpoints=['checkpoints/UniPixel-3B'],
    train_cfg=dict(
        trainable=['prompt_encoder', 'memory_bank', 'llm.seg_head'],
        lora=dict(r=128, alpha=256, dropout=0.1, target='qkvo_llm'),
        gradient_checkpointing=True))
optim_wrapper = dict(
    optimizer=dict(lr=2e-5), paramwise_cfg=dict(bypass_duplicate=True))
custom_hooks = [dict(type='SaveTrainableParamsHook')]
# in distributed runs: samples without <|ref|> / <|mem|> / <|seg|> tokens
# leave the prompt encoder / memory bank / segmentation head without gradient
find_unused_parameters = True
