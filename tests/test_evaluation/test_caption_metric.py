"""CaptionMetric: pycocoevalcap's scores on hand-made captions."""
import math
import shutil

import pytest

from unipixel_mm.evaluation import caption_scores, tokenize_caption

pytest.importorskip('pycocoevalcap')
needs_java = pytest.mark.skipif(
    shutil.which('java') is None, reason='METEOR needs java')
# two captions without a shared word: every n-gram is in one reference of
# two, so CIDEr's weights are all log(2)
CAPTIONS = ['A red ball rolls left.', 'The dog runs in circles!']


def test_tokenize_caption():
    assert tokenize_caption("  A Dog's ball,\tRED. ") == 'a dog s ball red'
    assert tokenize_caption('...') == ''


def test_identical_captions():
    scores = caption_scores(CAPTIONS, [c.upper() for c in CAPTIONS])
    assert set(scores) == {
        'BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'ROUGE-L', 'CIDEr'
    }
    for key in ('BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'ROUGE-L'):
        assert scores[key] == pytest.approx(1.0), key
    # a cosine similarity of 1 for each n, times CIDEr-D's factor 10
    assert scores['CIDEr'] == pytest.approx(10.0)


def test_short_prediction():
    # 'a cat sits' against 'a cat sits on the mat': every 1-, 2- and
    # 3-gram matches, the brevity penalty is exp(1 - 6 / 3); no 4-gram, so
    # BLEU-4 is the smoothed exp((3 * 0 + ln(1e-15 / 1e-9)) / 4) * e^-1
    scores = caption_scores(['A cat sits.'], [['a cat sits on the mat']])
    for n in (1, 2, 3):
        assert scores[f'BLEU-{n}'] == pytest.approx(math.exp(-1))
    assert scores['BLEU-4'] == pytest.approx(
        math.exp(math.log(1e-6) / 4 - 1), rel=1e-6)
    # LCS 3: precision 1, recall 1/2, F with beta 1.2
    assert scores['ROUGE-L'] == pytest.approx(2.44 * 0.5 / (0.5 + 1.44))
    # one reference: every n-gram weight is log(1) = 0
    assert scores['CIDEr'] == 0.0


def test_mean_over_captions():
    # a wrong caption scores 0 in ROUGE-L and CIDEr: the means halve
    scores = caption_scores([CAPTIONS[0], 'zzz'], CAPTIONS)
    assert scores['ROUGE-L'] == pytest.approx(0.5)
    assert scores['CIDEr'] == pytest.approx(5.0)
    # corpus BLEU-1: 5 of 6 words match, the lengths are 6 and 10
    assert scores['BLEU-1'] == pytest.approx(5 / 6 * math.exp(1 - 10 / 6))


def test_caption_scores_errors():
    with pytest.raises(ValueError, match='2 predictions for 1 references'):
        caption_scores(['a', 'b'], ['a'])
    with pytest.raises(ValueError, match='no captions'):
        caption_scores([], [])


def test_caption_metric(build_metric, monkeypatch):
    monkeypatch.setattr('shutil.which', lambda name: None)
    logged = []
    monkeypatch.setattr(
        'unipixel_mm.evaluation.metrics.caption_metric.'
        'print_log', lambda msg, **kwargs: logged.append(msg))
    metric = build_metric(dict(type='CaptionMetric'))
    assert logged == ['CaptionMetric: no java on the PATH, METEOR is skipped.']
    metric.process(None, [
        dict(pred_text=CAPTIONS[0], gt_answer=CAPTIONS[0]),
        dict(pred_text=CAPTIONS[1], gt_answer=['No.', CAPTIONS[1]]),
    ])
    metrics = metric.evaluate(2)
    assert set(metrics) == {
        'caption/BLEU-1', 'caption/BLEU-2', 'caption/BLEU-3', 'caption/BLEU-4',
        'caption/ROUGE-L', 'caption/CIDEr'
    }
    assert metrics['caption/BLEU-4'] == pytest.approx(1.0)
    assert metrics['caption/ROUGE-L'] == pytest.approx(1.0)


@needs_java
def test_caption_metric_with_java(build_metric):
    """METEOR (one Java start, some seconds)."""
    metric = build_metric(dict(type='CaptionMetric', prefix='d'))
    metric.process(None, [dict(pred_text=c, gt_answer=c) for c in CAPTIONS])
    metrics = metric.evaluate(2)
    assert metrics['d/METEOR'] == pytest.approx(1.0)
    assert metrics['d/CIDEr'] == pytest.approx(10.0)


def test_caption_metric_meteor_option(build_metric, monkeypatch):
    """meteor=False skips the Java process; meteor=True without java stops
    before any inference."""
    metric = build_metric(dict(type='CaptionMetric', meteor=False))
    metric.process(None, [dict(pred_text=c, gt_answer=c) for c in CAPTIONS])
    assert 'caption/METEOR' not in metric.evaluate(2)
    monkeypatch.setattr('shutil.which', lambda name: None)
    with pytest.raises(RuntimeError, match='meteor=True needs java'):
        build_metric(dict(type='CaptionMetric', meteor=True))
