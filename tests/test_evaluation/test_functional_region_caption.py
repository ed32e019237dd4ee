import pytest

from unipixel_mm.evaluation.functional import (build_judge_messages,
                                               parse_judge_reply,
                                               summarize_judge_scores)

REPLY = ('1. Subject Correspondence: 5\nExplanation: same dog.\n'
         '2. Appearance Description: 4\nExplanation: colour right.\n'
         '3. Temporal Description: 3.5\nExplanation: partly.\n'
         '4. Hallucination Detection: 2\nExplanation: invents a ball.')


def test_build_judge_messages():
    system, user = build_judge_messages('A dog runs.', 'A dog walks.',
                                        'Score.\n')
    # as 1.eval_gpt_4o_mini.py: each content a list of one text part
    assert system == dict(
        role='system', content=[dict(type='text', text='Score.\n')])
    assert user == dict(
        role='user',
        content=[
            dict(
                type='text',
                text='##Correct answer: A dog runs.\n'
                '##Predicted answer: A dog walks.\n')
        ])


def test_parse_judge_reply():
    assert parse_judge_reply(REPLY) == {
        'Subject Correspondence': 5.0,
        'Appearance Description': 4.0,
        'Temporal Description': 3.5,
        'Hallucination Detection': 2.0,
    }
    assert parse_judge_reply('I cannot judge this.') == {}
    # A malformed number voids the reply (2.extract_re.py drops it).
    assert parse_judge_reply('1. Subject Correspondence: 4..\n'
                             '2. Appearance Description: 3') == {}


def test_summarize_judge_scores():
    scores = [
        parse_judge_reply(REPLY),
        {
            'Subject Correspondence': 3.0,
            'Appearance Description': 2.0
        },
    ]
    summary = summarize_judge_scores(scores)
    # Subject (5 + 3) / 2 = 4, Appearance (4 + 2) / 2 = 3, Temporal 3.5,
    # Hallucination 2 (one reply each); All = 12.5 / 4.
    assert summary['Subject Correspondence'] == 4.0
    assert summary['Appearance Description'] == 3.0
    assert summary['Temporal Description'] == 3.5
    assert summary['Hallucination Detection'] == 2.0
    assert summary['All'] == pytest.approx(12.5 / 4)


def test_summarize_judge_scores_missing_dimension():
    summary = summarize_judge_scores([{'Subject Correspondence': 4.0}])
    assert summary['Temporal Description'] == 0.0
    assert summary['All'] == 1.0


def test_judge_prompt_is_read_verbatim(tmp_path):
    from unipixel_mm.evaluation.functional import load_judge_prompt
    path = tmp_path / 'system.txt'
    path.write_text('Score the captions.\n')
    # as 1.eval_gpt_4o_mini.py sends f.read(): the trailing newline kept
    prompt = load_judge_prompt(str(path))
    system, _ = build_judge_messages('a', 'b', prompt)
    assert system['content'] == [
        dict(type='text', text='Score the captions.\n')
    ]
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        load_judge_prompt(str(tmp_path / 'missing.txt'))
