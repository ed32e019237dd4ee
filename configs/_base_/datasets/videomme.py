# Video-MME (without subtitles) at the MVBench evaluation sizes.
_base_ = ['./mvbench.py']

test_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='VideoMMEDataset',
        pipeline=_base_.mc_pipeline))
