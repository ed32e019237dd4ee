"""LLM-judged scores of VideoRefer-Bench-D (detailed region captions).

A judge model compares a predicted description of a highlighted object with
the reference caption and scores four dimensions from 0 to 5. The default
system prompt below is this project's own wording of that protocol; to
report numbers comparable with published ones, pass the benchmark's own
prompt text (``system_prompt``, e.g. read from the benchmark's ``system.txt``
with :func:`load_judge_prompt`). A dimension's score is its mean over the
replies that contain it; the overall score is the mean of the four.
"""
import re
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

JUDGE_DIMENSIONS = ('Subject Correspondence', 'Appearance Description',
                    'Temporal Description', 'Hallucination Detection')

JUDGE_SYSTEM_PROMPT = (
    'You grade descriptions of one object in a video. Compare the predicted '
    'description with the correct one and judge only whether their facts '
    'agree, on four dimensions:\n'
    '1. Subject Correspondence: is the described object the same object as '
    'in the correct description?\n'
    '2. Appearance Description: are its visual attributes (colour, shape, '
    'size, texture and the like) right?\n'
    '3. Temporal Description: does the described motion match the motion in '
    'the correct description?\n'
    '4. Hallucination Detection: is the prediction free of objects, actions '
    'or facts that are not there?\n'
    'Give each dimension an integer score from 0 (unrelated) to 5 (fully '
    'consistent) with a one-line reason. Answer exactly in this form:\n'
    '1. Subject Correspondence: <score>\nReason: <text>\n'
    '2. Appearance Description: <score>\nReason: <text>\n'
    '3. Temporal Description: <score>\nReason: <text>\n'
    '4. Hallucination Detection: <score>\nReason: <text>')


def load_judge_prompt(path: str) -> str:
    """Read a judge system prompt from a text file (e.g. the benchmark's)."""
    with open(path, encoding='utf-8') as f:
        return f.read().strip()


# "<n>. <dimension>: <score>", e.g. "2. Appearance Description: 4".
_SCORE_LINE = re.compile(r'\d+\.\s+(.*?):\s+([\d.]+)')


def build_judge_messages(caption: str,
                         prediction: str,
                         system_prompt: Optional[str] = None) -> List[dict]:
    """Chat messages asking the judge to score one predicted caption.

    Args:
        caption (str): The reference description.
        prediction (str): The model's description.
        system_prompt (str, optional): The judge's instructions; defaults to
            :data:`JUDGE_SYSTEM_PROMPT`.

    Returns:
        list[dict]: A system and a user message in the OpenAI chat format.
    """
    question = (f'##Correct answer: {caption}\n'
                f'##Predicted answer: {prediction}\n')
    return [
        dict(role='system', content=system_prompt or JUDGE_SYSTEM_PROMPT),
        dict(role='user', content=question),
    ]


def parse_judge_reply(reply: str) -> Dict[str, float]:
    """Scores per dimension found in a judge reply.

    Args:
        reply (str): The judge's answer, with lines such as
            ``'1. Subject Correspondence: 5'``.

    Returns:
        dict[str, float]: Dimension name to score, for every scored line
        (names are kept as written, so unknown ones are kept too).
    """
    scores = {}
    for name, value in _SCORE_LINE.findall(reply):
        try:
            scores[name] = float(value)
        except ValueError:  # e.g. a trailing '.' read as '5..'
            continue
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
