# MeViS valid, scored on the server: every frame of every expression is
# segmented and written as <out_dir>/Annotations/<video>/<exp_id>/<frame>.png,
# zipped into <out_dir>/submission.zip (no masks are released, so there is
# no local score). Set `test_evaluator.out_dir` to move the output.
_base_ = ['../_base_/datasets/unipixel_pipelines.py']
data_root = 'data/mevis/valid'

# every frame gets a mask (the evaluation pipeline segments all frames;
# the LLM sees 16 of them)
test_dataloader = dict(
    **_base_.test_dataloader_cfg,
    dataset=dict(
        type='MeViSDataset',
        data_root=data_root,
        ann_file='meta_expressions.json',
        mask_file=None,
        data_prefix=dict(img_path='JPEGImages'),
        test_mode=True,
        pipeline=_base_.test_pipeline))
test_evaluator = dict(
    type='VOSSubmissionMetric', out_dir='work_dirs/submissions/mevis_valid')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
