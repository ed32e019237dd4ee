"""Reference-based caption scores (BLEU, METEOR, ROUGE-L, CIDEr) computed
by ``pycocoevalcap``.

The COCO caption toolkit tokenizes with the Stanford PTB tokenizer, a Java
program; here captions are tokenized in Python instead
(:func:`tokenize_caption`: lowercase, every character other than a letter,
digit, underscore or whitespace replaced by a space), so the scores are close
to, not identical with, those of the toolkit's own pipeline. METEOR also runs
Java and is only computed on request.
"""
import re
from typing import Dict, Sequence, Union

_NOT_WORD = re.compile(r'[^\w\s]')


def tokenize_caption(caption: str) -> str:
    """Lowercase a caption and strip its punctuation.

    Args:
        caption (str): Any text.

    Returns:
        str: Its words joined by single spaces, e.g. ``"a dog's ball."``
        gives ``'a dog s ball'``.
    """
    return ' '.join(_NOT_WORD.sub(' ', caption.lower()).split())


def coco_caption_scorers() -> Dict[str, type]:
    """The scorer classes of pycocoevalcap, by name.

    Raises:
        ImportError: With the install command, when it is missing.
    """
    try:
        from pycocoevalcap.bleu.bleu import Bleu
        from pycocoevalcap.cider.cider import Cider
        from pycocoevalcap.meteor.meteor import Meteor
        from pycocoevalcap.rouge.rouge import Rouge
    except ImportError as err:
        raise ImportError('Caption scores need pycocoevalcap: pip install '
                          'pycocoevalcap (or unipixel_mm[eval])') from err
    return dict(Bleu=Bleu, Cider=Cider, Meteor=Meteor, Rouge=Rouge)


def caption_scores(predictions: Sequence[str],
                   references: Sequence[Union[str, Sequence[str]]],
                   meteor: bool = False) -> Dict[str, float]:
    """Corpus scores of predicted captions against their references.

    Scores are on pycocoevalcap's scales: BLEU, METEOR and ROUGE-L from 0 to
    1, CIDEr (its CIDEr-D variant) from 0 to 10. BLEU and METEOR are corpus
    scores, ROUGE-L and CIDEr means over the captions; CIDEr's n-gram
    weights come from the given references, so it needs a corpus of several
    captions (with a single one it is 0).

    Args:
        predictions (Sequence[str]): One predicted caption per sample.
        references (Sequence[str | Sequence[str]]): The reference caption,
            or several, of each sample.
        meteor (bool): Also compute METEOR (needs ``java`` on the PATH).
            Defaults to False.

    Returns:
        dict[str, float]: ``'BLEU-1'`` to ``'BLEU-4'``, ``'ROUGE-L'``,
        ``'CIDEr'`` and, if asked, ``'METEOR'``.
    """
    scorers = coco_caption_scorers()
    if len(predictions) != len(references):
        raise ValueError(f'{len(predictions)} predictions for '
                         f'{len(references)} references')
    if not predictions:
        raise ValueError('no captions to score')
    res = {i: [tokenize_caption(p)] for i, p in enumerate(predictions)}
    gts = {
        i: [
            tokenize_caption(r)
            for r in ([refs] if isinstance(refs, str) else refs)
        ]
        for i, refs in enumerate(references)
    }
    bleu, _ = scorers['Bleu'](4).compute_score(gts, res, verbose=0)
    scores = {f'BLEU-{n}': float(b) for n, b in enumerate(bleu, 1)}
    named = [('ROUGE-L', 'Rouge'), ('CIDEr', 'Cider')]
    if meteor:
        named.insert(0, ('METEOR', 'Meteor'))
    for name, scorer in named:
        scores[name] = float(scorers[scorer]().compute_score(gts, res)[0])
    return scores
