# VideoRefer-Bench-Q in single-frame mode (`--single_frame_mode` of the
# reference's scripts/auto_eval.sh): each object's mask prompt is given on
# the question's frame (`frame_idx`) only.
_base_ = ['./videorefer_bench_q.py']

test_dataloader = dict(dataset=dict(single_frame=True))
val_dataloader = test_dataloader
