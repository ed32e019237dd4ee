import numpy as np
import pytest

from unipixel_mm.evaluation.functional import (robustness_score,
                                               summarize_video_seg)


def test_robustness_score():
    gt = np.zeros((3, 4, 4), bool)
    gt[:, 0, :2] = True  # target: 2 pixels per frame
    foreground = gt.copy()
    foreground[:2, 3, :2] = True  # another object: fg area 4 in frames 0, 1
    pred = gt.copy()
    pred[1, 2, 0] = True  # frame 1: 1 false positive -> 1 - 1 / 4
    pred[2, 1:, :] = True  # frame 2: 12 false positives, fg area 2 -> 0
    r = robustness_score(pred, gt, foreground, false_positive_weight=1)
    np.testing.assert_allclose(r, [1.0, 0.75, 0.0], atol=1e-6)


def test_robustness_score_weighs_false_positives_255():
    # The official script multiplies the 0 / 255 mask images: a false
    # positive pixel weighs 255. 30 x 30 frames, foreground 17 rows = 510 px.
    gt = np.zeros((3, 30, 30), bool)
    gt[:, :2, :2] = True
    foreground = np.zeros_like(gt)
    foreground[:, :17] = True
    pred = gt.copy()
    pred[1, 20, 0] = True  # 1 false positive: 1 - 255 / 510
    pred[2, 20, :3] = True  # 3 false positives: 1 - 765 / 510 < 0 -> 0
    np.testing.assert_allclose(
        robustness_score(pred, gt, foreground), [1.0, 0.5, 0.0], atol=1e-6)
    # a predicted target pixel is no false positive, whatever the foreground
    np.testing.assert_allclose(
        robustness_score(gt, gt, np.zeros_like(gt)), [1.0] * 3)


def test_robustness_counts_overlapping_foreground_channels():
    # eval_revos.py sums the stacked channels: 2 objects on the same 2
    # pixels give an area of 4; 1 false positive (weight 1): 1 - 1 / 4
    gt = np.zeros((1, 4, 4), bool)
    gt[0, 0, :2] = True
    foreground = np.zeros((1, 4, 4), np.uint8)
    foreground[0, 3, :2] = 2
    pred = gt.copy()
    pred[0, 2, 0] = True
    r = robustness_score(pred, gt, foreground, false_positive_weight=1)
    np.testing.assert_allclose(r, [0.75], atol=1e-6)


def test_revos_accuracy():
    from unipixel_mm.evaluation.functional import revos_accuracy

    # 0 / 255 prediction against the 0 / 1 target: only the 16 - 3 pixels
    # outside both agree, the shared target pixel does not
    gt = np.zeros((1, 4, 4), bool)
    gt[0, 0, :2] = True
    pred = np.zeros_like(gt)
    pred[0, 0, 1:3] = True
    np.testing.assert_allclose(revos_accuracy(pred, gt), [13 / 16])


def test_robustness_without_foreground():
    # No foreground and no false positive: 1 - 0 / eps = 1.
    empty = np.zeros((1, 2, 2), bool)
    assert robustness_score(empty, empty, empty)[0] == 1.0


RECORDS = [
    dict(J=0.5, F=0.7, R=0.9, split='referring'),
    dict(J=0.7, F=0.9, R=0.7, split='referring'),
    dict(J=0.2, F=0.4, R=0.2, split='reasoning'),
]


def test_summarize_per_split_and_mean_of_records():
    summary = summarize_video_seg(RECORDS)
    # referring: J = (50 + 70) / 2 = 60, F = (70 + 90) / 2 = 80, J&F = 70.
    assert summary['referring/J'] == pytest.approx(60)
    assert summary['referring/F'] == pytest.approx(80)
    assert summary['referring/J&F'] == pytest.approx(70)
    assert summary['referring/R'] == pytest.approx(80)
    assert summary['reasoning/J&F'] == pytest.approx(30)
    # overall over the 3 records: J = 140 / 3, F = 200 / 3.
    assert summary['J'] == pytest.approx(140 / 3)
    assert summary['F'] == pytest.approx(200 / 3)
    assert summary['J&F'] == pytest.approx(170 / 3)
    assert summary['R'] == pytest.approx(60)


def test_summarize_average_of_splits():
    # ReVOS overall: J = (60 + 20) / 2, F = (80 + 40) / 2, R = (80 + 20) / 2.
    summary = summarize_video_seg(RECORDS, average_splits=True)
    assert summary['J'] == pytest.approx(40)
    assert summary['F'] == pytest.approx(60)
    assert summary['J&F'] == pytest.approx(50)
    assert summary['R'] == pytest.approx(50)


def test_summarize_without_splits_or_robustness():
    summary = summarize_video_seg([dict(J=1.0, F=0.5), dict(J=0.0, F=0.5)])
    assert summary == {'F': 50.0, 'J': 50.0, 'J&F': 50.0}


def test_summarize_empty():
    with pytest.raises(ValueError):
        summarize_video_seg([])
