# Ablation: PixelQA's second pass on the tiny default. The object is given
# by its mask (<|mem|> tokens of the object memory bank): "What colour is
# [3]?" -> "red". Trained and validated on this form alone; the generated
# answers are decoded and scored by exact match.
_base_ = ['../unipixel_tiny_synthetic.py']

# the processor decodes the generated answers into text
model = dict(processor=_base_.tiny_processor)

train_dataloader = dict(dataset=dict(tasks=('region', )))
val_dataloader = dict(dataset=dict(tasks=('region', )))
test_dataloader = val_dataloader
val_evaluator = [dict(type='AnswerMatchMetric')]
test_evaluator = val_evaluator
