import pytest
import torch


def test_pixelqa_metric(build_metric):
    metric = build_metric(dict(type='PixelQAMetric'))
    gt = torch.zeros(2, 2, 3, 3, dtype=torch.bool)  # (T=2, O=2, H, W)
    gt[:, 0, 0, 0] = True  # object 0: 1 pixel in each frame
    gt[0, 1, 2, 2] = True  # object 1: 1 pixel in frame 0
    pred0 = gt[:, 0].clone()
    pred0[1, 1, 1] = True  # TP 2, FP 1: J = 2/3, F = 0.8
    sample = dict(
        pred_text='A',
        gt_answer='A',
        options=['x', 'y'],
        question_type='Attribute',
        pred_masks=[pred0],
        gt_masks_ori=gt)
    # Object 1 has no predicted mask: J = F = 0.
    metric.process(None, [sample])
    metrics = metric.evaluate(1)
    assert metrics['pixelqa/accuracy'] == 100
    assert metrics['pixelqa/Attribute/accuracy'] == 100
    # J = (2/3 + 0) / 2, F = (0.8 + 0) / 2.
    assert metrics['pixelqa/J'] == pytest.approx(100 / 3, abs=1e-3)
    assert metrics['pixelqa/F'] == pytest.approx(40, abs=1e-3)
    assert metrics['pixelqa/J&F'] == pytest.approx(
        (100 / 3 + 40) / 2, abs=1e-3)
