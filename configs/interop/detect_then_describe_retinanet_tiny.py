# Detect-then-describe with tiny random-weight models: an MMDetection
# RetinaNet (ResNet-18 with 8 base channels) proposes boxes on COCO images;
# each box becomes a <|ref|> box prompt of the tiny UniPixel, whose answer is
# added to the detection (pred_instances.texts). The boxes are scored by
# MMDetection's CocoMetric. Swap `detector` for any mmdet detector config
# (with _scope_='mmdet') and `describer` for a trained UniPixel.
#   bash tools/install_mm_interop.sh
#   python tools/test.py \
#       configs/interop/detect_then_describe_retinanet_tiny.py CHECKPOINT
_base_ = ['../_base_/models/unipixel_tiny.py', './_base_/mmdet_coco_test.py']

custom_imports = dict(
    imports=['unipixel_mm.interop'], allow_failed_imports=False)

tiny_processor = dict(
    type='build_tiny_processor', save_dir='data/tiny_processor')
num_classes = 80

detector = dict(
    _scope_='mmdet',
    type='RetinaNet',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=8,
        out_indices=(1, 2, 3),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        style='pytorch'),
    neck=dict(
        type='FPN',
        in_channels=[16, 32, 64],
        out_channels=16,
        start_level=0,
        add_extra_convs='on_input',
        num_outs=3),
    bbox_head=dict(
        type='RetinaHead',
        num_classes=num_classes,
        in_channels=16,
        stacked_convs=1,
        feat_channels=16,
        anchor_generator=dict(
            type='AnchorGenerator',
            octave_base_scale=4,
            scales_per_octave=1,
            ratios=[1.0],
            strides=[8, 16, 32]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[0.0, 0.0, 0.0, 0.0],
            target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(
            type='FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    test_cfg=dict(
        nms_pre=100,
        min_bbox_size=0,
        score_thr=0.05,
        nms=dict(type='nms', iou_threshold=0.5),
        max_per_img=10))

model = dict(
    _delete_=True,
    type='DetectThenDescribe',
    detector=detector,
    describer={{_base_.model}},
    processor=tiny_processor,
    question='What colour is <|ref|>?',
    score_thr=0.3,
    max_regions=5,
    min_pixels=56 * 56,
    max_pixels=112 * 112,
    generation_cfg=dict(max_new_tokens=8))

test_dataloader = dict(batch_size=2, num_workers=0)
