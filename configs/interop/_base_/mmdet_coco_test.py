# Testing on COCO val2017 with MMDetection's parts, for models that take and
# return mmdet samples (DetectThenDescribe): its CocoDataset and test
# pipeline (built in the mmdet scope), CocoMetric, DetLocalVisualizer and
# DetVisualizationHook (draw with --cfg-options
# default_hooks.visualization.draw=True
# default_hooks.visualization.test_out_dir=vis).
_base_ = ['../../_base_/default_runtime.py']

default_hooks = dict(
    visualization=dict(_delete_=True, type='mmdet.DetVisualizationHook'))
visualizer = dict(
    _delete_=True,
    type='mmdet.DetLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')])

data_root = 'data/coco/'
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(640, 640), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _scope_='mmdet',
        type='CocoDataset',
        data_root=data_root,
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(
    type='mmdet.CocoMetric',
    ann_file=data_root + 'annotations/instances_val2017.json',
    metric='bbox')
test_cfg = dict(type='TestLoop')
