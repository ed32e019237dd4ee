from unipixel_mm.evaluation.functional import answer_matches, normalize_answer


def test_normalize_answer():
    assert normalize_answer('  Red.\n') == 'red'
    assert normalize_answer('circle  and\tSquare') == 'circle and square'
    assert normalize_answer('') == ''


def test_answer_matches():
    assert answer_matches('Red.', 'red')
    assert answer_matches('a square', ['square', 'a square'])
    assert not answer_matches('red <|seg|>', 'red')
    assert not answer_matches('blue', ['red', 'green'])
