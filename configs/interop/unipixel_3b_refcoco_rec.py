# Referring expression comprehension (REC) on RefCOCO val through
# MMDetection's data set and metric: MDETRStyleRefCocoDataset reads MDETR's
# annotation file (one entry per expression), UniPixel segments the
# expression and the box around its first mask is scored by RefExpMetric
# (precision at IoU 0.5). Set `processor` to a UniPixel-3B directory (its
# tokenizer) and data_root to COCO with `mdetr_annotations/`.
#   bash tools/install_mm_interop.sh
#   python tools/test.py configs/interop/unipixel_3b_refcoco_rec.py \
#       CHECKPOINT
_base_ = ['../_base_/models/unipixel_3b.py', '../_base_/default_runtime.py']

custom_imports = dict(
    imports=['unipixel_mm.interop'], allow_failed_imports=False)

processor = 'checkpoints/UniPixel-3B'
data_root = 'data/coco/'
ann_file = 'mdetr_annotations/finetune_refcoco_val.json'

model = dict(generation_cfg=dict(max_new_tokens=32))

test_pipeline = [
    dict(type='LoadFrames'),
    dict(type='RefExpToConversation'),
    dict(type='LoadObjectMasks'),
    dict(type='QwenVideoProcess', processor=processor, frame_budget=8),
    dict(type='SAM2Resize', size=768),
    dict(type='FormatConversation', processor=processor),
    dict(
        type='PackUniPixelInputs',
        keep_ori_masks=True,
        meta_keys=('img_id', 'img_path', 'entry')),
]
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='unipixel_mm.unipixel_collate'),
    dataset=dict(
        type='mmdet.MDETRStyleRefCocoDataset',
        data_root=data_root,
        ann_file=ann_file,
        data_prefix=dict(img='train2014/'),
        test_mode=True,
        pipeline=test_pipeline))
# the first <|seg|> mask gives the box; a sample without one counts as a miss
test_evaluator = dict(
    type='ConvertedMetric',
    convert_to='det',
    min_instances=1,
    metric=dict(
        type='mmdet.RefExpMetric',
        ann_file=data_root + ann_file,
        metric='bbox',
        iou_thrs=0.5,
        topk=(1, 5, 10)))
test_cfg = dict(type='TestLoop')
