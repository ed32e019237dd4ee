import pytest
import torch

from unipixel_mm.structures.pixel_data_sample import PixelDataSample


def box(top, left, size=2, height=10, width=10):
    """A (height, width) bool tensor with one size x size box."""
    mask = torch.zeros(height, width, dtype=torch.bool)
    mask[top:top + size, left:left + size] = True
    return mask


EMPTY = torch.zeros(10, 10, dtype=torch.bool)


def sample(pred_masks, gt_masks, **metainfo):
    """A data sample converted with ``to_dict()``, as the Evaluator does."""
    data_sample = PixelDataSample(metainfo=metainfo)
    data_sample.pred_masks = pred_masks
    data_sample.gt_masks_ori = gt_masks
    return data_sample.to_dict()


def test_referring_vos_scores_the_first_masklet(build_metric):
    metric = build_metric(dict(type='VideoSegMetric'))
    # As infer_seg.py (model.seg[0][0]): the first <|seg|> masklet only. The
    # target is the union of 2 objects (2 boxes of 4 pixels); the first
    # masklet covers one box: J = 4 / 8; the second masklet (the other box)
    # is ignored.
    gt = torch.stack([box(0, 0), box(5, 5)])[None]  # (T=1, O=2, H, W)
    metric.process(None, [sample([box(0, 0)[None], box(5, 5)[None]], gt)])
    assert metric.evaluate(1)['vos/J'] == pytest.approx(50.0)


def test_referring_vos_unions_objects(build_metric):
    metric = build_metric(dict(type='VideoSegMetric', pred_select='union'))
    # Two annotated objects in 1 frame; the prediction covers both with two
    # masks, so the unions agree: J = F = 1.
    gt = torch.stack([box(0, 0), box(5, 5)])[None]  # (T=1, O=2, H, W)
    metric.process(None, [sample([box(0, 0)[None], box(5, 5)[None]], gt)])
    # No predicted mask at all: the union of objects is missed, J = F = 0.
    metric.process(None, [sample([], gt)])
    assert metric.evaluate(2) == {
        'vos/F': 50.0,
        'vos/J': 50.0,
        'vos/J&F': 50.0
    }


def test_per_object_davis(build_metric):
    metric = build_metric(dict(type='VideoSegMetric', per_object=True))
    # 2 frames, 2 objects; object 0 is predicted shifted right by 1 (J = 1/3,
    # F = 1 in both frames, tolerance 1 pixel on 10x10); object 1 has no
    # predicted mask (J = F = 0 in frame 0, where it is visible, and
    # J = F = 1 in frame 1, where it is absent).
    gt = torch.stack([
        torch.stack([box(2, 2), box(6, 6)]),
        torch.stack([box(2, 2), EMPTY]),
    ])  # (T=2, O=2, H, W)
    pred = [torch.stack([box(2, 3), box(2, 3)])]
    metric.process(None, [sample(pred, gt)])
    # J = mean(1/3, 1/2) = 5/12; F = mean(1, 1/2) = 3/4. Both objects count
    # although the evaluator is told of 1 sample.
    metrics = metric.evaluate(1)
    assert metrics['vos/J'] == pytest.approx(500 / 12)
    assert metrics['vos/F'] == pytest.approx(75)
    assert metrics['vos/J&F'] == pytest.approx((500 / 12 + 75) / 2)


def test_revos_splits_and_robustness(build_metric):
    metric = build_metric(
        dict(type='VideoSegMetric', split_key='split', average_splits=True))
    gt = box(0, 0)[None, None]  # (T=1, O=1, H, W), 4 pixels
    foreground = (box(0, 0) | box(5, 5))[None]  # 8 pixels
    referring = sample([box(0, 0)[None]], gt, split='referring')
    referring['gt_foreground_masks'] = foreground
    # Wrong object: J = 0, F = 0, 4 false positives weighing 255 each:
    # R = max(1 - 4 * 255 / 8, 0) = 0.
    reasoning = sample([box(5, 5)[None]], gt, split='reasoning')
    reasoning['gt_foreground_masks'] = foreground
    metric.process(None, [referring, reasoning])
    metrics = metric.evaluate(2)
    assert metrics['vos/referring/J&F'] == 100.0
    assert metrics['vos/referring/R'] == 100.0
    assert metrics['vos/reasoning/J&F'] == 0.0
    assert metrics['vos/reasoning/R'] == 0.0
    # Overall: mean of the two splits.
    assert metrics['vos/J&F'] == 50.0
    assert metrics['vos/R'] == pytest.approx(50)


def test_revos_robustness_per_expression_then_split(build_metric):
    metric = build_metric(
        dict(type='VideoSegMetric', split_key='split', average_splits=True))
    # 30 x 30 frames; the foreground covers 17 rows (510 px), the target
    # is a 2 x 2 box on both frames.
    foreground = torch.zeros(2, 30, 30, dtype=torch.bool)
    foreground[:, :17] = True
    target = box(0, 0, height=30, width=30)
    gt = torch.stack([target, target])[:, None]  # (T=2, O=1, H, W)
    # 1 false positive on frame 0: R = (1 - 255 / 510 + 1) / 2 = 0.75
    one_fp = torch.stack([target, target])
    one_fp[0, 20, 0] = True
    # 3 false positives on frame 0, 4 on frame 1: (0 + 0) / 2
    many_fp = one_fp.clone()
    many_fp[0, 20, 1:3] = True
    many_fp[1, 20, :4] = True
    samples = [
        sample([one_fp], gt, split='referring'),
        sample([one_fp[:1].expand(2, -1, -1)], gt, split='referring'),
        sample([many_fp], gt, split='reasoning'),
    ]
    for s in samples:
        s['gt_foreground_masks'] = foreground
    metric.process(None, samples)
    metrics = metric.evaluate(3)
    # referring: expressions 0.75 and (0.5 + 0.5) / 2 -> 62.5; reasoning 0
    assert metrics['vos/referring/R'] == pytest.approx(62.5)
    assert metrics['vos/reasoning/R'] == 0.0
    assert metrics['vos/R'] == pytest.approx(31.25)


def test_revos_rounds_each_expression(build_metric):
    """eval_revos.py rounds each expression's J, F (and A, R) in percent to
    2 decimals before averaging."""
    metric = build_metric(
        dict(type='VideoSegMetric', split_key='split', round_digits=2))
    gt = box(0, 0, size=3)[None, None]  # 9 pixels
    # J = 1 / 9 = 11.111... % -> 11.11 and J = 4 / 9 = 44.444... -> 44.44
    one = box(0, 0, size=1)[None]
    four = box(0, 0, size=2)[None]
    metric.process(None, [
        sample([one], gt, split='referring'),
        sample([four], gt, split='referring')
    ])
    assert metric.evaluate(2)['vos/J'] == pytest.approx((11.11 + 44.44) / 2)
    exact = build_metric(dict(type='VideoSegMetric'))
    exact.process(None, [sample([one], gt), sample([four], gt)])
    assert exact.evaluate(2)['vos/J'] == pytest.approx(500 / 18)


def test_foreground_of_another_size_names_the_entry(build_metric):
    metric = build_metric(dict(type='VideoSegMetric'))
    bad = sample([box(0, 0)[None]],
                 box(0, 0)[None, None],
                 entry='revos vidA expression 0')
    bad['gt_foreground_masks'] = torch.zeros(1, 5, 5, dtype=torch.bool)
    with pytest.raises(ValueError, match='revos vidA expression 0: Shapes'):
        metric.process(None, [bad])


def test_groundmore_question_types(build_metric):
    metric = build_metric(
        dict(type='VideoSegMetric', split_key='question_type', prefix='gm'))
    gt = box(0, 0)[None, None]
    metric.process(None, [
        sample([box(0, 0)[None]], gt, question_type='Causal'),
        sample([box(0, 0)[None]], gt, question_type='Causal'),
        sample([], gt, question_type='Sequential'),
    ])
    metrics = metric.evaluate(3)
    # Overall: mean over the 3 expressions, not over the 2 types.
    assert metrics['gm/J'] == pytest.approx(200 / 3)
    assert metrics['gm/Causal/J'] == 100.0
    assert metrics['gm/Sequential/F'] == 0.0


def test_results_merge_across_ranks(build_metric):
    # Each rank keeps its own records; rank 0 computes on their
    # concatenation, in whatever order they arrive.
    ranks = [build_metric(dict(type='VideoSegMetric')) for _ in range(2)]
    gt = box(0, 0)[None, None]
    ranks[0].process(None, [sample([box(0, 0)[None]], gt)])
    ranks[1].process(None, [sample([], gt)])
    gathered = ranks[1].results + ranks[0].results
    assert ranks[0].compute_metrics(gathered)['J'] == 50.0


def test_shape_mismatch(build_metric):
    metric = build_metric(dict(type='VideoSegMetric'))
    with pytest.raises(ValueError):
        metric.process(
            None, [sample([torch.zeros(2, 10, 10)],
                          box(0, 0)[None, None])])


def test_groundmore_duplicate_frames_take_the_last_step(build_metric):
    """A clip shorter than the 20 frames GroundMoRe samples repeats frames:
    infer_seg.py writes one PNG per frame name (the last step's mask wins)
    and eval_groundmore.py reads it for every step of that frame."""
    # frames a, a, b: the first step of 'a' predicts the target, the second
    # misses it
    gt = torch.stack([box(0, 0), box(0, 0), box(5, 5)])[:, None]
    pred = torch.stack([box(0, 0), EMPTY, box(5, 5)])
    scores = {}
    for mode in ('each', 'last'):
        metric = build_metric(
            dict(type='VideoSegMetric', duplicate_frames=mode))
        metric.process(None, [sample([pred], gt, frame_names=['a', 'a',
                                                              'b'])])
        scores[mode] = metric.evaluate(1)['vos/J']
    assert scores['each'] == pytest.approx(100 * 2 / 3)
    assert scores['last'] == pytest.approx(100 / 3)
    with pytest.raises(ValueError, match='frame_names'):
        metric = build_metric(
            dict(type='VideoSegMetric', duplicate_frames='last'))
        metric.process(None, [sample([pred], gt)])
    with pytest.raises(ValueError, match='duplicate_frames'):
        build_metric(dict(type='VideoSegMetric', duplicate_frames='first'))
