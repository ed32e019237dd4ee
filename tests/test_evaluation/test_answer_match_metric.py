import pytest


def test_answer_match_accuracy(build_metric):
    metric = build_metric(dict(type='AnswerMatchMetric'))
    metric.process(None, [
        dict(pred_text='Red.', gt_answer='red'),
        dict(pred_text='blue', gt_answer='red'),
        dict(pred_text='circle and square', gt_answer='circle and square'),
        # one of several accepted answers
        dict(pred_text='a square', gt_answer=['square', 'a square']),
        # a longer answer is not a match
        dict(pred_text='red <|seg|>', gt_answer='red'),
    ])
    assert metric.evaluate(5) == {'answer/accuracy': pytest.approx(60.0)}


def test_answer_match_needs_generated_answers(build_metric):
    metric = build_metric(dict(type='AnswerMatchMetric'))
    with pytest.raises(KeyError, match="'gt_answer'.*sample 3.*test_mode"):
        metric.process(None, [dict(pred_text='red', sample_idx=3)])
    with pytest.raises(KeyError, match="'pred_text'.*'processor' option"):
        metric.process(None, [dict(gt_answer='red', sample_idx=3)])
    with pytest.raises(ValueError, match='got no answers'):
        metric.evaluate(1)
