# Ref-YouTube-VOS valid, scored on the server: the masks of every
# annotated frame as <out_dir>/Annotations/<video>/<exp_id>/<frame>.png,
# zipped into <out_dir>/submission.zip.
_base_ = ['./mevis_valid.py']

test_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='RefYouTubeVOSDataset',
        data_root='data/ref_youtube_vos',
        ann_file='meta_expressions/valid/meta_expressions.json',
        mask_file=None,
        data_prefix=dict(img_path='valid/JPEGImages'),
        test_mode=True,
        pipeline={{_base_.test_pipeline}}))
test_evaluator = dict(out_dir='work_dirs/submissions/ref_youtube_vos')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
