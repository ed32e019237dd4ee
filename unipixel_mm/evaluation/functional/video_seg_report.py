"""Aggregation of per-expression J / F / R into benchmark numbers.

ReVOS reports each split (referring, reasoning) and an overall score that is
the unweighted mean of the two splits; GroundMoRe reports each question type
and an overall score that is the mean over all expressions. Both take the
mean over frames first (one record per expression or object), then the mean
over records.
"""
from typing import Dict, List, Mapping, Sequence

import numpy as np


def summarize_video_seg(records: Sequence[Mapping],
                        average_splits: bool = False) -> Dict[str, float]:
    """Mean J, F, J&F (and R) overall and per split, in percent.

    Args:
        records (Sequence[Mapping]): One record per expression (or object)
            with ``'J'`` and ``'F'`` (frame means in [0, 1]), optionally
            ``'A'`` (accuracy), ``'R'`` (robustness) and ``'split'`` (any
            hashable name).
        average_splits (bool): Make the overall scores the unweighted mean of
            the split scores (ReVOS) instead of the mean over all records
            (GroundMoRe, DAVIS). Records without a split are then left out of
            the overall scores. Defaults to False.

    Returns:
        dict[str, float]: ``'J'``, ``'F'``, ``'J&F'`` and, when every record
        has them, ``'A'`` and ``'R'``; plus ``'<split>/J'`` etc. for every
        split.
    """
    if not records:
        raise ValueError('No records to summarize.')
    splits = {r.get('split') for r in records} - {None}
    splits = sorted(splits, key=str)
    per_split = {
        split: _mean_scores([r for r in records if r.get('split') == split])
        for split in splits
    }

    if average_splits and per_split:
        overall = {
            key:
            float(np.mean([scores[key] for scores in per_split.values()]))
            for key in set.intersection(*(set(s) for s in per_split.values()))
        }
    else:
        overall = _mean_scores(records)

    summary = dict(sorted(overall.items()))
    for split, scores in per_split.items():
        summary.update({
            f'{split}/{key}': value
            for key, value in sorted(scores.items())
        })
    return summary


def _mean_scores(records: List[Mapping]) -> Dict[str, float]:
    """Mean of the J, F (and R) of ``records``, in percent."""
    scores = {
        key: 100 * float(np.mean([r[key] for r in records]))
        for key in ('J', 'F')
    }
    scores['J&F'] = (scores['J'] + scores['F']) / 2
    for key in ('A', 'R'):
        if all(key in r for r in records):
            scores[key] = 100 * float(np.mean([r[key] for r in records]))
    return scores
