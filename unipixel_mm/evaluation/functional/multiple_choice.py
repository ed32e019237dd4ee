"""Answer parsing and accuracy of multiple-choice video QA.

VideoRefer-Bench-Q, PixelQA, MVBench and Video-MME prompt the model with
lettered options and prime the reply with ``'('``, so the reply starts with
the chosen letter. The letter is read as in UniPixel's evaluation: take the
text before the first space, drop ``(``, ``)`` and ``.``, lower-case it and
keep its first character. A letter beyond the number of options (or an empty
reply) is a failed parse and counts as a wrong answer.
"""
from collections import defaultdict
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np


def option_letters(num_options: int) -> List[str]:
    """The lower-case letters of ``num_options`` options: a, b, c, ...

    Args:
        num_options (int): Number of options.

    Returns:
        list[str]: ``num_options`` letters.
    """
    return [chr(ord('a') + i) for i in range(num_options)]


def parse_option_letter(response: str, num_options: int) -> Optional[str]:
    """Read the chosen option letter off a model reply.

    Args:
        response (str): The reply, e.g. ``'B) A red car.'`` or ``'(c'``.
        num_options (int): Number of options offered.

    Returns:
        str | None: The lower-case letter, or None when the reply does not
        start with a valid one.
    """
    head = response.lower().split(' ')[0]
    head = head.replace('(', '').replace(')', '').replace('.', '')
    if not head or head[0] not in option_letters(num_options):
        return None
    return head[0]


def answer_letter(answer: str, options: Sequence[str]) -> str:
    """The lower-case letter of the ground-truth answer.

    Args:
        answer (str): Either the text of one of ``options`` or a lettered
            answer such as ``'B'``, ``'(B)'`` or ``'(B) A red car.'``.
        options (Sequence[str]): The options, in letter order.

    Returns:
        str: The letter, e.g. ``'b'``.
    """
    if answer in options:
        return option_letters(len(options))[list(options).index(answer)]
    letter = parse_option_letter(answer, len(options))
    if letter is None:
        raise ValueError(f'Answer {answer!r} names none of {len(options)} '
                         'options.')
    return letter


def check_choice(response: str, answer: str,
                 options: Sequence[str]) -> Optional[bool]:
    """Whether a reply picks the right option.

    Args:
        response (str): The model reply.
        answer (str): The ground truth, see :func:`answer_letter`.
        options (Sequence[str]): The options offered.

    Returns:
        bool | None: True / False, or None when the reply cannot be parsed.
    """
    letter = parse_option_letter(response, len(options))
    if letter is None:
        return None
    return letter == answer_letter(answer, options)


def summarize_accuracy(records: Sequence[Mapping]) -> Dict[str, float]:
    """Accuracy overall and per task, in percent.

    Args:
        records (Sequence[Mapping]): One record per question with
            ``'correct'`` (True, False or None for a failed parse) and
            ``'tasks'`` (list of task names the question belongs to).

    Returns:
        dict[str, float]: ``'accuracy'``, ``'num_failed'`` (failed parses)
        and ``'<task>/accuracy'`` for each task.
    """
    if not records:
        raise ValueError('No records to summarize.')
    by_task = defaultdict(list)
    for record in records:
        for task in record['tasks']:
            by_task[task].append(record['correct'] is True)

    summary = dict(
        accuracy=_percent([r['correct'] is True for r in records]),
        num_failed=sum(r['correct'] is None for r in records))
    for task in sorted(by_task, key=str):
        summary[f'{task}/accuracy'] = _percent(by_task[task])
    return summary


def _percent(hits: List[bool]) -> float:
    return 100 * float(np.mean(hits))
