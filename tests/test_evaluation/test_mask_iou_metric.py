import pytest
import torch


def mask(*pixels, frames=1, size=4):
    """A (frames, size, size) bool mask with (t, y, x) pixels set."""
    out = torch.zeros(frames, size, size, dtype=torch.bool)
    for t, y, x in pixels:
        out[t, y, x] = True
    return out


def test_mask_iou_per_object(build_metric):
    metric = build_metric(dict(type='MaskIoUMetric'))
    # sample 1, two objects over 2 frames: object 0 inter 2 / union 3,
    # object 1 exact (inter 1 / union 1); the extra prediction is ignored
    gt = torch.stack([
        mask((0, 0, 0), (1, 0, 0), (1, 0, 1), frames=2),
        mask((0, 3, 3), frames=2)
    ], dim=1)
    first = dict(
        pred_masks=[
            mask((0, 0, 0), (1, 0, 0), frames=2),
            mask((0, 3, 3), frames=2),
            mask((0, 1, 1), frames=2)
        ],
        gt_masks_ori=gt)
    # sample 2: no prediction for its object of 2 pixels: inter 0 / union 2
    second = dict(
        pred_masks=[], gt_masks_ori=mask((0, 0, 0), (0, 1, 1))[:, None])
    metric.process(None, [first, second])
    metrics = metric.evaluate(2)
    # mIoU = (2/3 + 1 + 0) / 3; cIoU = (2 + 1 + 0) / (3 + 1 + 2)
    assert metrics['mask/mIoU'] == pytest.approx(100 * 5 / 9)
    assert metrics['mask/cIoU'] == pytest.approx(50)


def test_mask_iou_shape_mismatch_is_reported(build_metric):
    metric = build_metric(dict(type='MaskIoUMetric'))
    with pytest.raises(ValueError, match='cannot merge'):
        metric.process(None, [
            dict(pred_masks=[mask(size=5)], gt_masks_ori=mask()[:, None])
        ])


def test_mask_iou_needs_objects(build_metric):
    metric = build_metric(dict(type='MaskIoUMetric'))
    metric.process(
        None, [dict(pred_masks=[], gt_masks_ori=torch.zeros(1, 0, 4, 4))])
    with pytest.raises(ValueError, match='no annotated objects'):
        metric.evaluate(1)
