# The tiny SyntheticShapes run (unipixel_tiny_synthetic.py) on Qwen3-VL: the
# same data, schedule and learning check, with a tiny Qwen3-VL vision
# tokenizer and LLM (_base_/models/qwen3vl_tiny_parts.py) and a tiny
# Qwen3-VL processor (patch 16, time-stamped frames).
#   python tools/train.py configs/unipixel_qwen3vl_tiny_synthetic.py
_base_ = [
    './unipixel_tiny_synthetic.py', './_base_/models/qwen3vl_tiny_parts.py'
]

model = _base_.qwen3vl_tiny_parts

tiny_processor = dict(
    type='build_tiny_qwen3_processor', save_dir='data/tiny_qwen3_processor')
# 128 px frames: 8 x 8 patches of 16 px, the 16 merged tokens a frame pair
# gets in the Qwen2.5-VL run (8 x 8 patches of 14 px at 112 px)
processor_args = dict(
    processor=tiny_processor, min_pixels=64 * 64, max_pixels=128 * 128)
train_pipeline = [
    dict(step, **processor_args) if step['type'] == 'QwenVideoProcess' else
    dict(step, processor=tiny_processor)
    if step['type'] == 'FormatConversation' else step
    for step in _base_.train_pipeline
]
val_pipeline = train_pipeline[:-1] + [_base_.val_pipeline[-1]]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
