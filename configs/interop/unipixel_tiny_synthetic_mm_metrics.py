# The tiny UniPixel on SyntheticShapes, its masks also scored by
# MMDetection's CocoMetric (boxes from masks and masks) and MMSegmentation's
# IoUMetric (masks painted into a label map). Needs the interop extra:
#   bash tools/install_mm_interop.sh
#   python tools/test.py \
#       configs/interop/unipixel_tiny_synthetic_mm_metrics.py \
#       work_dirs/unipixel_tiny_synthetic/iter_1000.pth
_base_ = ['../unipixel_tiny_synthetic.py']

custom_imports = dict(
    imports=['unipixel_mm.interop'], allow_failed_imports=False)

# the queried shape is each <|seg|> object's class; label 0 is the
# background of the mmseg label maps (and a COCO category without objects)
classes = ('background', 'red circle', 'red square', 'red triangle',
           'green circle', 'green square', 'green triangle', 'blue circle',
           'blue square', 'blue triangle', 'yellow circle', 'yellow square',
           'yellow triangle')

val_pipeline = [
    dict(type='LoadFrames'),
    dict(type='SampleObjects', max_turns=1),
    dict(type='ObjectLabels', classes=classes, name='{colour} {shape}'),
    dict(type='LoadObjectMasks'),
    dict(
        type='QwenVideoProcess',
        processor={{_base_.tiny_processor}},
        min_pixels=56 * 56,
        max_pixels=112 * 112,
        frame_budget=None),
    dict(type='SAM2Resize', size=128),
    dict(type='SamplePrompts'),
    dict(type='FormatConversation', processor={{_base_.tiny_processor}}),
    dict(
        type='PackUniPixelInputs',
        keep_ori_masks=True,
        meta_keys=('sample_idx', 'entry', 'source', 'task', 'frame_inds',
                   'obj_labels')),
]
# segmentation alone: the <|seg|> of the given answer is decoded, none is
# generated
model = dict(generation_cfg=dict(max_new_tokens=0))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline, test_mode=False))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='MaskIoUMetric'),
    dict(
        type='ConvertedMetric',
        convert_to='det',
        classes=classes,
        metric=dict(type='mmdet.CocoMetric', metric=['bbox', 'segm'])),
    dict(
        type='ConvertedMetric',
        convert_to='seg',
        classes=classes,
        bg_label=0,
        metric=dict(type='mmseg.IoUMetric', iou_metrics=['mIoU'])),
]
test_evaluator = val_evaluator
