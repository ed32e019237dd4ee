"""mmdet / mmseg metrics on converted UniPixel predictions, checked against
values computed by hand."""
import json

import pytest
import torch

from unipixel_mm.interop import ConvertedMetric
from unipixel_mm.structures import PixelDataSample

CLASSES = ('background', 'a', 'b')


def rect(height, width, y1, y2, x1, x2) -> torch.Tensor:
    mask = torch.zeros(height, width, dtype=torch.bool)
    mask[y1:y2, x1:x2] = True
    return mask


def sample_dict(pred_masks, gt_masks, logits, labels, idx=0, **meta):
    """A UniPixel prediction as metrics receive it (``to_dict()``)."""
    size = tuple(gt_masks[0].shape) if gt_masks else tuple(
        pred_masks[0].shape)
    sample = PixelDataSample(
        metainfo=dict(frame_size=size, sample_idx=idx, obj_labels=labels,
                      **meta))
    sample.pred_masks = [m[None] for m in pred_masks]
    sample.pred_mask_scores = torch.tensor(logits).view(-1, 1)
    sample.pred_ids = torch.tensor([1, 2])
    if gt_masks:
        sample.gt_masks_ori = torch.stack(gt_masks)[None]
    return sample.to_dict()


def test_coco_metric_on_converted_masks(mmdet):
    """Object a is found exactly; object b with IoU 0.72 (8 x 9 pixels of
    its 10 x 10), a hit at IoU thresholds 0.50-0.70, a miss at 0.75-0.95.
    Per class AP: a 1.0, b 5 / 10 = 0.5 (background has no objects and is
    left out), so mAP = 0.75, mAP_50 = 1.0 and mAP_75 = 0.5 for masks and
    for the boxes around them (rectangles: same IoU)."""
    metric = ConvertedMetric(
        convert_to='det',
        classes=CLASSES,
        metric=dict(type='mmdet.CocoMetric', metric=['bbox', 'segm']))
    gt = [rect(20, 20, 0, 10, 0, 10), rect(20, 20, 10, 20, 10, 20)]
    pred = [rect(20, 20, 0, 10, 0, 10), rect(20, 20, 10, 18, 10, 19)]
    metric.process({}, [sample_dict(pred, gt, [3.0, 1.0], [1, 2])])
    results = metric.evaluate(1)
    for kind in ('bbox', 'segm'):
        assert results[f'coco/{kind}_mAP'] == pytest.approx(0.75)
        assert results[f'coco/{kind}_mAP_50'] == pytest.approx(1.0)
        assert results[f'coco/{kind}_mAP_75'] == pytest.approx(0.5)


def test_coco_metric_reads_labels_from_the_answer(mmdet, tiny_processor_cfg):
    """With ``labels_from='answer'`` the class named before each <|seg|>
    labels it: the two predictions are swapped with respect to the queried
    labels, so they only score when read from the text."""
    from unipixel_mm.datasets import get_processor
    tokenizer = get_processor(tiny_processor_cfg).tokenizer
    gt = [rect(20, 20, 0, 10, 0, 10), rect(20, 20, 10, 20, 10, 20)]
    pred = [gt[0], gt[1]]
    ids = tokenizer('the b <|seg|> the a <|seg|>')['input_ids']
    sample = sample_dict(pred, gt, [3.0, 1.0], [1, 2])
    sample['gt_masks_ori'] = sample['gt_masks_ori'][:, [1, 0]]
    sample['pred_ids'] = torch.tensor(ids)
    results = {}
    for source in ('query', 'answer'):
        metric = ConvertedMetric(
            convert_to='det',
            classes=CLASSES,
            labels_from=source,
            processor=tiny_processor_cfg,
            metric=dict(type='mmdet.CocoMetric', metric='segm'))
        batch = dict(inputs=[dict(input_ids=torch.tensor([1]))])
        metric.process(batch, [dict(sample)])
        results[source] = metric.evaluate(1)['coco/segm_mAP']
    assert results == {'query': 0.0, 'answer': 1.0}


def test_iou_metric_on_converted_masks(mmseg):
    """A 4 x 4 image; ground truth a = rows 0-1 x cols 0-1, b = rows 2-3 x
    cols 2-3, background elsewhere; prediction a = rows 0-1 x cols 0-2,
    b = rows 2-3 x col 3. IoU: a 4 / 6, b 2 / 4, background 6 / 10;
    mIoU = 58.89, aAcc = 12 / 16 = 75%."""
    metric = ConvertedMetric(
        convert_to='seg',
        classes=CLASSES,
        bg_label=0,
        metric=dict(type='mmseg.IoUMetric', iou_metrics=['mIoU']))
    gt = [rect(4, 4, 0, 2, 0, 2), rect(4, 4, 2, 4, 2, 4)]
    pred = [rect(4, 4, 0, 2, 0, 3), rect(4, 4, 2, 4, 3, 4)]
    metric.process({}, [sample_dict(pred, gt, [2.0, 2.0], [1, 2])])
    results = metric.evaluate(1)
    assert results['mIoU'] == pytest.approx((200 / 3 + 50 + 60) / 3, abs=0.01)
    assert results['aAcc'] == pytest.approx(75.0)


def test_refexp_metric_on_boxes_from_masks(mmdet, tmp_path):
    """Two expressions of RefCOCO: the first mask covers its target box
    exactly (IoU 1), the second sample has no mask (a zero box, IoU 0):
    precision@1 = 0.5."""
    ann_file = tmp_path / 'refexp.json'
    images = [
        dict(id=i, file_name='x.jpg', height=20, width=20,
             caption='thing', dataset_name='refcoco') for i in (0, 1)
    ]
    annotations = [
        dict(id=i + 1, image_id=i, bbox=[2, 3, 5, 4], area=20,
             category_id=1, iscrowd=0) for i in (0, 1)
    ]
    ann_file.write_text(
        json.dumps(
            dict(images=images, annotations=annotations,
                 categories=[dict(id=1, name='object')])))
    metric = ConvertedMetric(
        convert_to='det',
        min_instances=1,
        metric=dict(type='mmdet.RefExpMetric', ann_file=str(ann_file)))
    hit = sample_dict([rect(20, 20, 3, 7, 2, 7)], [], [0.5], [0], img_id=0)
    miss = PixelDataSample(metainfo=dict(frame_size=(20, 20), img_id=1))
    miss.pred_masks = []
    miss.pred_mask_scores = torch.zeros(0, 1)
    metric.process({}, [hit, miss.to_dict()])
    results = metric.evaluate(2)
    assert results['refexp/refcoco_precision@1'] == pytest.approx(0.5)


def test_converted_metric_checks_its_arguments():
    with pytest.raises(ValueError, match='convert_to'):
        ConvertedMetric(metric=dict(type='MaskIoUMetric'), convert_to='pan')
    with pytest.raises(ValueError, match='labels_from'):
        ConvertedMetric(metric=dict(type='MaskIoUMetric'), labels_from='gt')
