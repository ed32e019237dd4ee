"""Answer accuracy and mask J / F of PixelQA."""
from typing import Any, List, Sequence

import numpy as np

from unipixel_mm.registry import METRICS
from ..functional import (object_tracks, summarize_accuracy, volume_iou,
                          volume_pixel_f1)
from .multiple_choice_metric import MultipleChoiceMetric


@METRICS.register_module()
class PixelQAMetric(MultipleChoiceMetric):
    """PixelQA: multiple-choice accuracy plus the masks of the objects.

    The answer is scored as in :class:`MultipleChoiceMetric`. Each annotated
    object is scored against the predicted mask of the same index (a
    missing one is empty) with the volume IoU (J) and the volume pixel F1
    (F) of UniPixel's PixelQA evaluation; J and F are means over all
    objects of all samples.

    Samples carry the keys of :class:`MultipleChoiceMetric` plus
    ``pred_masks`` (list of (T, H, W) bool tensors) and ``gt_masks_ori``
    ((T, O, H, W) bool tensor), at the original resolution.

    Args:
        task_key (str, optional): Sample key naming the task(s). Defaults to
            ``'question_type'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'pixelqa'``.
    """

    default_prefix = 'pixelqa'

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Judge each reply and score each object mask.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Samples with the keys above.
        """
        for sample in data_samples:
            record = self.answer_record(sample)
            tracks = object_tracks(sample['pred_masks'],
                                   sample['gt_masks_ori'])
            record['J'] = [volume_iou(pred, gt) for pred, gt in tracks]
            record['F'] = [volume_pixel_f1(pred, gt) for pred, gt in tracks]
            self.results.append(record)

    def compute_metrics(self, results: List[dict]) -> dict:
        """Accuracy (overall and per task), J, F and J&F, in percent.

        Args:
            results (list[dict]): The records of all ranks.

        Returns:
            dict: The keys of :func:`summarize_accuracy` plus ``'J'``,
            ``'F'`` and ``'J&F'``.
        """
        summary = summarize_accuracy(results)
        for key in ('J', 'F'):
            summary[key] = 100 * float(
                np.mean([v for r in results for v in r[key]]))
        summary['J&F'] = (summary['J'] + summary['F']) / 2
        return summary
