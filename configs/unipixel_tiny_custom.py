# The tiny model fine-tuned on your own data as configs/unipixel_3b_custom.py
# does (LoRA), for a quick CPU check of a data set (docs/custom_data.md).
_base_ = ['./unipixel_tiny_synthetic.py']

model = dict(
    partial_checkpoints=['checkpoints/unipixel_tiny'],
    train_cfg=dict(
        trainable=['prompt_encoder', 'memory_bank', 'llm.seg_head'],
        lora=dict(r=8, alpha=16, dropout=0.1, target='qkvo_llm')))
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CustomPixelDataset',
        data_root='data/my_data',
        ann_file='train.jsonl',
        pipeline=_base_.train_pipeline))
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
custom_hooks = [dict(type='SaveTrainableParamsHook')]
