"""LLM-judged scores of VideoRefer-Bench-D (detailed region captions).

A judge model compares a predicted description of a highlighted object with
the reference caption and scores four dimensions from 0 to 5, following the
benchmark's own instructions: its ``system.txt`` (shipped with the VideoRefer
and UniPixel evaluation code), which the user gives by path and which is
sent verbatim, as ``1.eval_gpt_4o_mini.py`` reads it. A dimension's score
is its mean over the replies that contain it; the overall score is the mean
of the four (``3.analyze_score.py``).
"""
import os.path as osp
import re
from typing import Dict, List, Mapping, Sequence

import numpy as np

JUDGE_DIMENSIONS = ('Subject Correspondence', 'Appearance Description',
                    'Temporal Description', 'Hallucination Detection')


def load_judge_prompt(path: str) -> str:
    """Read the judge's system prompt (the benchmark's ``system.txt``).

    Args:
        path (str): The text file.

    Returns:
        str: Its whole text, unchanged (the reference sends ``f.read()``).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'judge system prompt not found: {path} (give the path of '
            "VideoRefer-Bench-D's system.txt)")
    with open(path, encoding='utf-8') as f:
        return f.read()


# "<n>. <dimension>: <score>", e.g. "2. Appearance Description: 4".
_SCORE_LINE = re.compile(r'\d+\.\s+(.*?):\s+([\d.]+)')


def build_judge_messages(caption: str, prediction: str,
                         system_prompt: str) -> List[dict]:
    """Chat messages asking the judge to score one predicted caption.

    As ``1.eval_gpt_4o_mini.py`` sends them: each message's content is a
    list holding one ``{'type': 'text', 'text': ...}`` part.

    Args:
        caption (str): The reference description.
        prediction (str): The model's description.
        system_prompt (str): The judge's instructions, see
            :func:`load_judge_prompt`.

    Returns:
        list[dict]: A system and a user message in the OpenAI chat format.
    """
    question = (f'##Correct answer: {caption}\n'
                f'##Predicted answer: {prediction}\n')
    return [
        dict(role='system', content=[dict(type='text', text=system_prompt)]),
        dict(role='user', content=[dict(type='text', text=question)]),
    ]


def parse_judge_reply(reply: str) -> Dict[str, float]:
    """Scores per dimension found in a judge reply.

    As ``2.extract_re.py``: every ``<n>. <name>: <number>`` line counts; a
    reply with a malformed number (e.g. ``'5..'``) counts for nothing (the
    reference drops the whole reply).

    Args:
        reply (str): The judge's answer, with lines such as
            ``'1. Subject Correspondence: 5'``.

    Returns:
        dict[str, float]: Dimension name to score, for every scored line
        (names are kept as written, so unknown ones are kept too); empty
        for a reply with a malformed number.
    """
    scores = {}
    for name, value in _SCORE_LINE.findall(reply):
        try:
            scores[name] = float(value)
        except ValueError:
            return {}
    return scores


def summarize_judge_scores(
        scores: Sequence[Mapping[str, float]]) -> Dict[str, float]:
    """Mean score of each dimension and their mean.

    Args:
        scores (Sequence[Mapping[str, float]]): The parsed scores of each
            judged caption, see :func:`parse_judge_reply`.

    Returns:
        dict[str, float]: Each of :data:`JUDGE_DIMENSIONS` (0 when no reply
        scored it) and ``'All'``, the mean of the four.
    """
    summary = {}
    for dim in JUDGE_DIMENSIONS:
        values = [s[dim] for s in scores if dim in s]
        summary[dim] = float(np.mean(values)) if values else 0.0
    summary['All'] = float(np.mean([summary[d] for d in JUDGE_DIMENSIONS]))
    return summary
