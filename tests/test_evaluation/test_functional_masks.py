import numpy as np
import pytest
import torch

from unipixel_mm.evaluation.functional import (merged_track, object_tracks,
                                               to_bool_array, union_of_masks)


def test_to_bool_array():
    out = to_bool_array(torch.tensor([[0, 255], [1, 0]], dtype=torch.uint8))
    np.testing.assert_array_equal(out, [[False, True], [True, False]])


def test_union_of_masks():
    a, b = np.zeros((1, 2, 2), bool), np.zeros((1, 2, 2), bool)
    a[0, 0, 0], b[0, 1, 1] = True, True
    assert union_of_masks([a, torch.from_numpy(b)], (1, 2, 2)).sum() == 2
    assert not union_of_masks([], (1, 2, 2)).any()
    with pytest.raises(ValueError):
        union_of_masks([a], (2, 2, 2))


def test_object_tracks_and_merged_track():
    gt = np.zeros((1, 3, 2, 2), bool)  # (T=1, O=3, H, W)
    gt[0, 0, 0, 0] = gt[0, 1, 1, 1] = True  # object 2 is empty
    pred = [gt[:, 1], gt[:, 0]]  # 2 predictions, in swapped order
    tracks = object_tracks(pred, gt)
    assert len(tracks) == 3
    np.testing.assert_array_equal(tracks[0][0], gt[:, 1])
    assert not tracks[2][0].any()  # missing prediction: empty
    merged_pred, merged_gt = merged_track(pred, gt)
    np.testing.assert_array_equal(merged_pred, merged_gt)
    assert merged_gt.shape == (1, 2, 2) and merged_gt.sum() == 2


def test_select_prediction():
    from unipixel_mm.evaluation.functional import select_prediction
    a = np.zeros((1, 2, 2), bool)
    a[0, 0, 0] = True
    b = np.zeros((1, 2, 2), bool)
    b[0, 1, 1] = True
    assert select_prediction([a, b], (1, 2, 2)).sum() == 1
    assert select_prediction([a, b], (1, 2, 2))[0, 0, 0]
    assert select_prediction([a, b], (1, 2, 2), 'union').sum() == 2
    assert not select_prediction([], (1, 2, 2)).any()
    with pytest.raises(ValueError, match='pred_select'):
        select_prediction([a], (1, 2, 2), 'largest')
