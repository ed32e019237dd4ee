import pytest
import torch


def mask(*pixels, size=4):
    """A (1, size, size) bool mask with the given (y, x) pixels set."""
    out = torch.zeros(1, size, size, dtype=torch.bool)
    for y, x in pixels:
        out[0, y, x] = True
    return out


def test_ref_seg_metric(build_metric):
    metric = build_metric(dict(type='RefSegMetric'))
    samples = [
        # inter 1, union 3 (pred 2 pixels, gt 2 pixels, 1 shared)
        dict(
            pred_masks=[mask((0, 0), (0, 1))],
            gt_masks_ori=mask((0, 1), (1, 1))[:, None]),
        # both empty: inter 0, union 0, IoU 1
        dict(pred_masks=[mask()], gt_masks_ori=mask()[:, None]),
        # no prediction, gt of 1 pixel: inter 0, union 1
        dict(pred_masks=[], gt_masks_ori=mask((3, 3))[:, None]),
    ]
    metric.process(None, samples)
    metrics = metric.evaluate(3)
    # cIoU = 1 / (3 + 0 + 1) = 25 %; gIoU = (1/3 + 1 + 0) / 3 = 4/9.
    assert metrics['refseg/cIoU'] == pytest.approx(25)
    assert metrics['refseg/gIoU'] == pytest.approx(400 / 9)


def test_ref_seg_scores_the_first_masklet(build_metric):
    metric = build_metric(dict(type='RefSegMetric'))
    # infer_seg.py scores model.seg[0][0]: the first masklet (1 of the 2
    # target pixels): inter 1, union 2; the second masklet is ignored.
    gt = torch.stack([mask((0, 0)), mask((2, 2))], dim=1)  # (1, 2, 4, 4)
    metric.process(
        None, [dict(pred_masks=[mask((0, 0)), mask((2, 2))], gt_masks_ori=gt)])
    assert metric.evaluate(1) == {'refseg/cIoU': 50.0, 'refseg/gIoU': 50.0}
    with pytest.raises(ValueError, match='pred_select'):
        build_metric(dict(type='RefSegMetric', pred_select='last'))


def test_ref_seg_unions_objects(build_metric):
    metric = build_metric(dict(type='RefSegMetric', pred_select='union'))
    # Two gt objects (O = 2) and two predicted masks covering them exactly.
    gt = torch.stack([mask((0, 0)), mask((2, 2))], dim=1)  # (1, 2, 4, 4)
    metric.process(
        None, [dict(pred_masks=[mask((0, 0)), mask((2, 2))], gt_masks_ori=gt)])
    assert metric.evaluate(1) == {'refseg/cIoU': 100.0, 'refseg/gIoU': 100.0}
