# Ablation: UniPixel-7B stage 3 with SAM2 frozen (the stage's other
# trainable modules and LoRA unchanged).
_base_ = ['../unipixel_7b.py']

model = dict(
    train_cfg=dict(trainable=[
        'llm.model.embed_tokens', 'llm.lm_head', 'prompt_encoder',
        'memory_bank', 'llm.seg_head'
    ]))
