"""Accuracy of multiple-choice (video) question answering."""
from typing import Any, List, Optional, Sequence

from mmengine.evaluator import BaseMetric

from unipixel_mm.registry import METRICS
from ..functional import check_choice, summarize_accuracy


@METRICS.register_module()
class MultipleChoiceMetric(BaseMetric):
    """Option accuracy of VideoRefer-Bench-Q, MVBench and Video-MME.

    The chosen letter is parsed off the reply as UniPixel's evaluation does
    (see :mod:`unipixel_mm.evaluation.functional.multiple_choice`); a reply
    that names no valid option counts as wrong and as failed.

    Samples are dicts (data samples after ``to_dict()``) with ``pred_text``
    (the reply), ``gt_answer`` (the letter, e.g. ``'B'``, or the option
    text), ``options`` (list[str]) and, optionally, ``<task_key>`` (a task
    name or a list of them, e.g. the MVBench task or the Video-MME
    duration).

    Args:
        task_key (str, optional): Sample key naming the task(s); accuracy is
            also reported per task as ``'<task>/accuracy'``. Defaults to
            ``'question_type'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``, where results gather
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'mcq'``.
    """

    default_prefix: Optional[str] = 'mcq'

    def __init__(self,
                 task_key: Optional[str] = 'question_type',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.task_key = task_key

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Judge each reply into ``self.results``.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Samples with the keys above.
        """
        self.results.extend(self.answer_record(s) for s in data_samples)

    def compute_metrics(self, results: List[dict]) -> dict:
        """Accuracy overall and per task, in percent.

        Args:
            results (list[dict]): The records of all ranks.

        Returns:
            dict: See :func:`summarize_accuracy`.
        """
        return summarize_accuracy(results)

    def answer_record(self, sample: dict) -> dict:
        """Whether the sample's reply is right, and the tasks it counts for.

        Args:
            sample (dict): A sample with the keys above.

        Returns:
            dict: ``'correct'`` (True, False or None when unparsable) and
            ``'tasks'`` (list[str]).
        """
        tasks = sample.get(self.task_key) if self.task_key else None
        if tasks is None:
            tasks = []
        elif isinstance(tasks, str):
            tasks = [tasks]
        correct = check_choice(sample['pred_text'], sample['gt_answer'],
                               sample['options'])
        return dict(correct=correct, tasks=list(tasks))
