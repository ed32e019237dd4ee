"""Reference-based caption scores (BLEU, METEOR, ROUGE-L, CIDEr)."""
import logging
import shutil
from typing import Any, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from unipixel_mm.registry import METRICS
from ..functional import caption_scores, coco_caption_scorers


@METRICS.register_module()
class CaptionMetric(BaseMetric):
    """COCO caption scores of predicted captions, computed by pycocoevalcap.

    BLEU-1 to BLEU-4, ROUGE-L and CIDEr, plus METEOR when ``java`` is on the
    PATH (else it is left out, said once in the log). SPICE (Java and a
    Stanford CoreNLP download) is not computed. Captions are tokenized in
    Python, not by the toolkit's Java PTB tokenizer: see
    :mod:`unipixel_mm.evaluation.functional.caption` for the tokenization
    and the scales of the scores.

    Samples are dicts (data samples after ``to_dict()``) with ``pred_text``
    (the predicted caption) and ``gt_answer`` (the reference caption, or a
    list of them).

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'caption'``.
        meteor (bool, optional): Compute METEOR (a Java process, seconds
            to start). Defaults to None: when ``java`` is on the PATH.
    """

    default_prefix: Optional[str] = 'caption'

    def __init__(self,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 meteor: Optional[bool] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        coco_caption_scorers()  # fails before the inference, not after
        java = shutil.which('java') is not None
        if meteor and not java:
            raise RuntimeError('CaptionMetric: meteor=True needs java on '
                               'the PATH')
        self.meteor = java if meteor is None else meteor
        if meteor is None and not java:
            print_log(
                'CaptionMetric: no java on the PATH, METEOR is skipped.',
                logger='current',
                level=logging.WARNING)

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep the predicted and reference captions of each sample.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Samples with the keys above.
        """
        self.results.extend(
            dict(prediction=s['pred_text'], references=s['gt_answer'])
            for s in data_samples)

    def compute_metrics(self, results: List[dict]) -> dict:
        """Score the captions of all ranks.

        Args:
            results (list[dict]): The captions of all ranks.

        Returns:
            dict[str, float]: See
            :func:`~unipixel_mm.evaluation.functional.caption_scores`.
        """
        return caption_scores([r['prediction'] for r in results],
                              [r['references'] for r in results],
                              meteor=self.meteor)
