import numpy as np
import pytest
import torch

from unipixel_mm.evaluation.metrics.text_swap import picked_object

# three objects on a 1-frame 4x4 clip: the top row, the bottom row and the
# left column of the middle rows
TOP = [(0, 0, x) for x in range(4)]
BOTTOM = [(0, 3, x) for x in range(4)]
LEFT = [(0, 1, 0), (0, 2, 0)]


def mask(*pixels, frames=1, size=4):
    """A (frames, size, size) bool mask with (t, y, x) pixels set."""
    out = torch.zeros(frames, size, size, dtype=torch.bool)
    for t, y, x in pixels:
        out[t, y, x] = True
    return out


def sample(clip, named, *pred):
    """A sample naming the object ``named`` with one predicted mask."""
    return dict(
        video_id=clip,
        sample_idx=0,
        gt_masks_ori=mask(*named)[:, None],
        pred_masks=[mask(*p) for p in pred])


def test_picked_object_is_the_highest_iou():
    objects = [mask(*o).numpy() for o in (TOP, BOTTOM, LEFT)]
    # 3 of 4 top pixels and 1 of 2 left pixels: IoU 3/5 vs 1/5
    assert picked_object(
        mask(*TOP[:3], LEFT[0]).numpy(), objects) == 0
    assert picked_object(mask(*LEFT).numpy(), objects) == 2
    # nothing overlapped, or a tie: no object picked
    assert picked_object(mask((0, 1, 2)).numpy(), objects) == -1
    assert picked_object(np.zeros((1, 4, 4), bool), objects) == -1
    assert picked_object(mask(TOP[0], BOTTOM[0]).numpy(), objects) == -1


def test_swap_accuracy_counts_pairs(build_metric):
    metric = build_metric(dict(type='TextSwapMetric'))
    metric.process(None, [
        # clip a, 3 objects: TOP and LEFT right, BOTTOM's mask on TOP;
        # pairs (TOP, BOTTOM) no, (TOP, LEFT) yes, (BOTTOM, LEFT) no
        sample('a', TOP, TOP),
        sample('a', BOTTOM, TOP[:3]),
        sample('a', LEFT, LEFT + [(0, 2, 1)]),
        # clip b, 2 objects, both right although imprecise: one pair, yes
        sample('b', TOP, TOP[:2]),
        sample('b', BOTTOM, BOTTOM + LEFT),
    ])
    # clip c, 2 objects, the same mask for both texts: one pair, no
    metric.process(None, [sample('c', TOP, TOP), sample('c', LEFT, TOP)])
    metrics = metric.evaluate(7)
    # pairs: 1 of 3 (a) + 1 of 1 (b) + 0 of 1 (c)
    assert metrics['text_swap/accuracy'] == pytest.approx(100 * 2 / 5)
    # samples on their named object: 2 of 3 + 2 of 2 + 1 of 2
    assert metrics['text_swap/pick_accuracy'] == pytest.approx(100 * 5 / 7)


def test_same_object_named_twice_forms_no_pair(build_metric):
    metric = build_metric(dict(type='TextSwapMetric', group_key='clip'))
    samples = [
        # two texts naming TOP, one naming LEFT: 2 pairs (TOP-LEFT twice),
        # not 3; the second TOP text misses (mask on LEFT)
        sample('x', TOP, TOP),
        sample('x', TOP, LEFT),
        sample('x', LEFT, LEFT),
        # one named object only: no pair, left out
        sample('y', TOP, BOTTOM),
    ]
    for s in samples:
        s['clip'] = s.pop('video_id')
    metric.process(None, samples)
    metrics = metric.evaluate(4)
    assert metrics['text_swap/accuracy'] == pytest.approx(50)
    assert metrics['text_swap/pick_accuracy'] == pytest.approx(100 * 2 / 3)


def test_no_prediction_counts_as_missed(build_metric):
    metric = build_metric(dict(type='TextSwapMetric', prefix='swap'))
    metric.process(None, [sample('a', TOP), sample('a', BOTTOM, BOTTOM)])
    metrics = metric.evaluate(2)
    assert metrics == {'swap/accuracy': 0.0, 'swap/pick_accuracy': 50.0}


def test_bad_samples_are_reported(build_metric):
    metric = build_metric(dict(type='TextSwapMetric'))
    no_clip = sample('a', TOP, TOP)
    del no_clip['video_id']
    with pytest.raises(KeyError, match="metainfo 'video_id'"):
        metric.process(None, [no_clip])
    two_objects = sample('a', TOP, TOP)
    two_objects['gt_masks_ori'] = torch.stack([mask(*TOP), mask(*LEFT)], 1)
    with pytest.raises(ValueError, match='one named object a sample'):
        metric.process(None, [two_objects])
    metric.process(None, [sample('a', TOP, TOP), sample('b', LEFT, LEFT)])
    with pytest.raises(ValueError, match='no clip with two named objects'):
        metric.evaluate(2)
