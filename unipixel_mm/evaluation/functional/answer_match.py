"""Exact match of short generated answers (a word, a colour, a count)."""
from typing import Sequence, Union


def normalize_answer(text: str) -> str:
    """An answer as it is compared: lower case, words separated by single
    spaces, without a final period."""
    return ' '.join(text.lower().split()).rstrip('.').strip()


def answer_matches(answer: str, accepted: Union[str, Sequence[str]]) -> bool:
    """Whether an answer equals the ground truth, or one of a list of
    accepted answers, once both are normalized by
    :func:`normalize_answer`."""
    if isinstance(accepted, str):
        accepted = [accepted]
    return normalize_answer(answer) in {normalize_answer(a) for a in accepted}
