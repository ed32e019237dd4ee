import numpy as np
import pytest

from unipixel_mm.evaluation.functional import (ciou_and_giou,
                                               intersection_and_union,
                                               sample_iou)


def test_intersection_and_union():
    pred = np.zeros((1, 4, 4), bool)
    gt = np.zeros((1, 4, 4), bool)
    pred[0, :2, :2] = True  # 4 pixels
    gt[0, :2, 1:3] = True  # 4 pixels, 2 shared
    assert intersection_and_union(pred, gt) == (2, 6)


def test_sample_iou_edge_cases():
    assert sample_iou(0, 0) == 1.0  # both empty
    assert sample_iou(0, 4) == 0.0  # one of them empty
    assert sample_iou(2, 6) == pytest.approx(1 / 3)


def test_ciou_and_giou():
    # cIoU = (2 + 0 + 0) / (6 + 0 + 4) = 20 %.
    # gIoU = (1/3 + 1 + 0) / 3 = 4/9.
    metrics = ciou_and_giou([2, 0, 0], [6, 0, 4])
    assert metrics['cIoU'] == pytest.approx(20)
    assert metrics['gIoU'] == pytest.approx(400 / 9)


def test_ciou_all_empty():
    assert ciou_and_giou([0, 0], [0, 0]) == dict(cIoU=100.0, gIoU=100.0)


def test_ciou_bad_input():
    with pytest.raises(ValueError):
        ciou_and_giou([], [])
