"""tools/test.py on VideoRefer-Bench-D with the tiny fixture model: the LLM
judge is a local OpenAI-compatible stub with recorded replies."""
import json
import os.path as osp
import pickle
import re
import sys
from typing import Dict, Iterator, Optional, Sequence

import pytest
from test_benchmarks import ROOT, run_benchmark
from test_more_benchmarks import FOUR_FRAMES, encode_rle, write_video

from unipixel_mm.evaluation import caption_scores

pytest.importorskip('pycocoevalcap')
sys.path.insert(0, osp.join(ROOT, 'tests', 'test_datasets'))
from test_videorefer import write_bench  # noqa: E402

sys.path.insert(0, ROOT)
from tools.parity.judge_stub import (DIMENSIONS, JudgeStub,  # noqa: E402
                                     running_stub)

# The recorded judge reply of each reference caption, in the judge's format.
REPLIES = {
    'A box moves.': (5, 4, 3, 2),
    'A grey box slides to the right.': (4, 2, 3, 1),
    'A small square stays still.': (3, 3, 0, 3),
}
# the means of the replies above over the three captions
EXPECTED = {
    'videorefer_d/Subject Correspondence': 4.0,
    'videorefer_d/Appearance Description': 3.0,
    'videorefer_d/Temporal Description': 2.0,
    'videorefer_d/Hallucination Detection': 2.0,
    'videorefer_d/All': 2.75,
    'videorefer_d/num_failed': 0,
}
CAPTION_KEYS = ('BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'ROUGE-L', 'CIDEr')
KEY_ENV = 'UNIPIXEL_TEST_JUDGE_KEY'


def judge_reply(scores: Sequence[int]) -> str:
    return '\n'.join(f'{i}. {dim}: {score}\nReason: As recorded.'
                     for i, (dim,
                             score) in enumerate(zip(DIMENSIONS, scores), 1))


def recorded_reply(question: str) -> Optional[str]:
    """The recorded reply to the reference caption of a judge question."""
    caption = re.match(r'##Correct answer: (.*)\n', question)
    scores = REPLIES.get(caption and caption.group(1))
    return None if scores is None else judge_reply(scores)


@pytest.fixture(scope='module')
def processor_dir(tmp_path_factory) -> str:
    from unipixel_mm.datasets import build_tiny_processor
    path = str(tmp_path_factory.mktemp('tiny_processor'))
    build_tiny_processor(path)
    return path


@pytest.fixture
def judge_stub() -> Iterator[JudgeStub]:
    with running_stub(reply=recorded_reply) as server:
        yield server


def printed_metrics(output: str, keys: Sequence[str]) -> Dict[str, float]:
    """The values of ``keys`` (names with spaces) on the ``Iter(test)``
    line."""
    line = [ln for ln in output.splitlines() if 'Iter(test)' in ln][-1]
    values = {}
    for key in keys:
        found = re.search(rf'\s{re.escape(key)}: (-?[\d.]+)\s', line)
        assert found, (key, line)
        values[key] = float(found.group(1))
    return values


def write_bench_d(root) -> str:
    """VideoRefer-Bench-D with the captions of :data:`REPLIES` (the video
    and masks of the data-set test's sample)."""
    write_bench(root, write_video, encode_rle)
    path = root / 'VideoRefer-Bench-D.json'
    entry = json.loads(path.read_text())[0]
    path.write_text(
        json.dumps([
            dict(entry, caption=caption, frame_idx=frame)
            for caption, frame in zip(REPLIES, ('1', '4', '1'))
        ]))
    return str(root)


def test_videorefer_bench_d(tmp_path, tiny_cfg_path, processor_dir, run_tool,
                            judge_stub, monkeypatch):
    root = write_bench_d(tmp_path / 'videorefer')
    # the benchmark's judge instructions, sent verbatim
    prompt = tmp_path / 'system.txt'
    prompt.write_text('You are a judge of object descriptions.\n')
    # the client reads the key from the environment of tools/test.py
    monkeypatch.setenv(KEY_ENV, 'stub-key')
    monkeypatch.setenv('no_proxy', '127.0.0.1')
    preds_file = tmp_path / 'preds.pkl'
    output = run_benchmark(
        run_tool,
        'videorefer_bench_d',
        tiny_cfg_path,
        processor_dir,
        str(tmp_path / 'work'),
        [
            f'test_dataloader.dataset.data_root={root}',
            FOUR_FRAMES,
            f'test_evaluator.0.judge.base_url={judge_stub.base_url}',
            'test_evaluator.0.judge.model=judge-stub',
            f'test_evaluator.0.judge.api_key_env={KEY_ENV}',
            f'test_evaluator.0.system_prompt_file={prompt}',
            # METEOR (a Java start, 10+ s) is checked in
            # test_caption_metric.py
            'test_evaluator.1.meteor=False',
            # ends the --cfg-options: the predictions for the checks below
            '--out',
            str(preds_file)
        ])
    with open(preds_file, 'rb') as f:
        samples = pickle.load(f)
    predictions = {s['gt_answer']: s['pred_text'] for s in samples}
    assert set(predictions) == set(REPLIES)

    # one request per sample, with its reference and predicted captions
    assert len(judge_stub.requests) == len(REPLIES)
    questions = set()
    for body, meta in zip(judge_stub.requests, judge_stub.meta):
        assert meta['path'] == '/v1/chat/completions'
        assert meta['authorization'] == 'Bearer stub-key'
        assert body['model'] == 'judge-stub'
        system, user = body['messages']
        assert system == dict(
            role='system',
            content=[
                dict(
                    type='text',
                    text='You are a judge of object descriptions.\n')
            ])
        assert user['role'] == 'user' and len(user['content']) == 1
        questions.add(user['content'][0]['text'])
    assert questions == {
        f'##Correct answer: {caption}\n##Predicted answer: {pred}\n'
        for caption, pred in predictions.items()
    }

    assert printed_metrics(output, list(EXPECTED)) == EXPECTED
    # the second evaluator scores the same captions
    keys = [f'caption/{k}' for k in CAPTION_KEYS]
    printed = printed_metrics(output, keys)
    expected = caption_scores(
        list(predictions.values()), list(predictions.keys()))
    for key in CAPTION_KEYS:
        assert printed[f'caption/{key}'] == pytest.approx(
            expected[key], abs=1e-4), key
    assert 'caption/METEOR' not in output
