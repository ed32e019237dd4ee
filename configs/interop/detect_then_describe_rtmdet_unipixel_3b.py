# Detect-then-describe on COCO: MMDetection's RTMDet-tiny (its own config and
# released weights) proposes up to 10 boxes per image, and UniPixel-3B
# describes each in a short answer (pred_instances.texts). The boxes are
# scored by CocoMetric; add dict(type='DumpResults', out_file_path=...) to
# the evaluator to keep the answers. Both models load their weights when built:
# set `describer_checkpoint` and `processor` to the UniPixel-3B directory.
#   bash tools/install_mm_interop.sh
#   python -c "from mmengine.config import Config; \
#   from mmengine.runner import Runner; Runner.from_cfg(Config.fromfile( \
#   'configs/interop/detect_then_describe_rtmdet_unipixel_3b.py')).test()"
_base_ = ['../_base_/models/unipixel_3b.py', './_base_/mmdet_coco_test.py']

custom_imports = dict(
    imports=['unipixel_mm.interop'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='DetectThenDescribe',
    detector='mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py',
    detector_checkpoint='https://download.openmmlab.com/mmdetection/v3.0/'
    'rtmdet/rtmdet_tiny_8xb32-300e_coco/'
    'rtmdet_tiny_8xb32-300e_coco_20220902_112414-78e30dcc.pth',
    describer={{_base_.model}},
    describer_checkpoint='checkpoints/UniPixel-3B',
    processor='checkpoints/UniPixel-3B',
    question='Please describe <|ref|> in one sentence.',
    score_thr=0.3,
    max_regions=10,
    generation_cfg=dict(max_new_tokens=64))
