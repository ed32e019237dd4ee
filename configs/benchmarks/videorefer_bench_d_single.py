# VideoRefer-Bench-D in single-frame mode (`--single_frame_mode` of the
# reference's scripts/auto_eval.sh): the object's mask prompt is given on
# the annotated frame (`frame_idx`) only.
_base_ = ['./videorefer_bench_d.py']

test_dataloader = dict(dataset=dict(single_frame=True))
val_dataloader = test_dataloader
