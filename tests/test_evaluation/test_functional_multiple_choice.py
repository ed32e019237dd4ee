import pytest

from unipixel_mm.evaluation.functional import (answer_letter, check_choice,
                                               option_letters,
                                               parse_option_letter,
                                               summarize_accuracy)


def test_option_letters():
    assert option_letters(3) == ['a', 'b', 'c']


@pytest.mark.parametrize(
    'response, letter',
    [
        ('A', 'a'),
        ('B) A red car.', 'b'),  # reply after the primer '('
        ('(C) A red car.', 'c'),
        ('d.', 'd'),
        ('(b', 'b'),
        ('Answer: B',
         'a'),  # only the first character of the first word counts
        ('E', None),  # only 4 options
        ('The answer is B', None),  # 't' is no option
        ('', None),
        (' B', None),  # the first word is empty
    ])
def test_parse_option_letter(response, letter):
    assert parse_option_letter(response, 4) == letter


OPTIONS = ['(A) a cat', '(B) a dog', '(C) a bird']


@pytest.mark.parametrize('answer, letter', [('B', 'b'), ('(c)', 'c'),
                                            ('(B) a dog', 'b'),
                                            ('(C) a bird', 'c')])
def test_answer_letter(answer, letter):
    assert answer_letter(answer, OPTIONS) == letter


def test_answer_letter_from_plain_option_text():
    assert answer_letter('dog', ['cat', 'dog']) == 'b'
    with pytest.raises(ValueError):
        answer_letter('zebra', ['cat', 'dog'])


def test_check_choice():
    assert check_choice('B) a dog', 'B', OPTIONS) is True
    assert check_choice('A', 'B', OPTIONS) is False
    assert check_choice('D', 'B', OPTIONS) is None


def test_summarize_accuracy():
    records = [
        dict(correct=True, tasks=['Causal']),
        dict(correct=False, tasks=['Causal']),
        dict(correct=None, tasks=['Causal', 'Sequential']),
        dict(correct=True, tasks=['Sequential']),
    ]
    summary = summarize_accuracy(records)
    # 2 right of 4; the failed parse counts as wrong.
    assert summary['accuracy'] == 50
    assert summary['num_failed'] == 1
    assert summary['Causal/accuracy'] == pytest.approx(100 / 3)
    assert summary['Sequential/accuracy'] == 50
