import numpy as np
import pytest

from unipixel_mm.evaluation.functional import volume_iou, volume_pixel_f1


def test_volume_scores():
    gt = np.zeros((2, 3, 3), bool)
    gt[0, 0, 0] = gt[1, 0, 0] = True  # 2 pixels over 2 frames
    pred = gt.copy()
    pred[1, 2, 2] = True  # TP = 2, FP = 1, FN = 0
    # J = 2 / 3; P = 2 / 3, R = 1, F = 2 * 2/3 / (5/3) = 0.8.
    assert volume_iou(pred, gt) == pytest.approx(2 / 3)
    assert volume_pixel_f1(pred, gt) == pytest.approx(0.8)


def test_volume_scores_empty():
    # The epsilon makes both-empty score 0, unlike the DAVIS J.
    empty = np.zeros((2, 3, 3), bool)
    assert volume_iou(empty, empty) == 0.0
    assert volume_pixel_f1(empty, empty) == 0.0
    full = np.ones((2, 3, 3), bool)
    assert volume_iou(empty, full) == 0.0
    assert volume_pixel_f1(full, empty) == 0.0
