"""Exact-match accuracy of short answers (a word, a colour, a count)."""
from typing import Any, Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric

from unipixel_mm.registry import METRICS
from ..functional import answer_matches

#: What a sample lacks without each key, and the fix.
HINTS = {
    'pred_text': "the model decodes its answers with the 'processor' "
    'option',
    'gt_answer': 'the data set keeps the answer as gt_answer in test_mode',
}


@METRICS.register_module()
class AnswerMatchMetric(BaseMetric):
    """The share of generated answers equal to their ground truth.

    For closed answers such as the colours and shapes of
    :class:`~unipixel_mm.datasets.SyntheticShapesDataset`'s ``ref`` and
    ``region`` forms: an answer is right when it equals the ground truth,
    or one of a list of accepted answers, up to case, spacing and a final
    period (:func:`~unipixel_mm.evaluation.functional.answer_matches`).
    Reported in percent as ``accuracy``.

    Samples are dicts (data samples after ``to_dict()``) with ``pred_text``
    (the generated answer) and ``gt_answer`` (str or list[str]).

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``, where results gather
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'answer'``.
    """

    default_prefix: Optional[str] = 'answer'

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Judge each answer.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Samples with the keys above.
        """
        for sample in data_samples:
            for key, hint in HINTS.items():
                if sample.get(key) is None:
                    raise KeyError(
                        f'AnswerMatchMetric needs {key!r}, which sample '
                        f"{sample.get('sample_idx')} lacks ({hint})")
            self.results.append(
                answer_matches(sample['pred_text'], sample['gt_answer']))

    def compute_metrics(self, results: List[bool]) -> Dict[str, float]:
        """Accuracy over the answers of all ranks.

        Args:
            results (list[bool]): Per sample, whether it is right.

        Returns:
            dict[str, float]: ``'accuracy'``.
        """
        if not results:
            raise ValueError('AnswerMatchMetric got no answers')
        return dict(accuracy=100 * sum(results) / len(results))
