import pytest

OPTIONS = ['a cat', 'a dog', 'a bird', 'a fish']


def qa(reply, answer, **metainfo):
    return dict(pred_text=reply, gt_answer=answer, options=OPTIONS, **metainfo)


def test_multiple_choice_metric(build_metric):
    metric = build_metric(dict(type='MultipleChoiceMetric'))
    metric.process(
        None,
        [
            qa('B) a dog', 'B', question_type='Basic Questions'),
            qa('C', 'a dog', question_type='Basic Questions'),  # wrong
            qa('E', 'D', question_type=['Future Predictions']),  # failed parse
            qa('(d', '(D)', question_type='Future Predictions'),
        ])
    metrics = metric.evaluate(4)
    assert metrics['mcq/accuracy'] == 50
    assert metrics['mcq/num_failed'] == 1
    assert metrics['mcq/Basic Questions/accuracy'] == 50
    assert metrics['mcq/Future Predictions/accuracy'] == 50


def test_multiple_choice_without_tasks(build_metric):
    metric = build_metric(dict(type='MultipleChoiceMetric', task_key=None))
    metric.process(None, [qa('A', 'A', question_type='ignored')])
    assert metric.evaluate(1) == {'mcq/accuracy': 100.0, 'mcq/num_failed': 0}


def test_multiple_choice_missing_task_key(build_metric):
    metric = build_metric(dict(type='MultipleChoiceMetric', task_key='task'))
    metric.process(None, [qa('A', 'B'), qa('A', 'A', task='Duration: short')])
    metrics = metric.evaluate(2)
    assert metrics['mcq/accuracy'] == 50
    assert metrics['mcq/Duration: short/accuracy'] == pytest.approx(100)
