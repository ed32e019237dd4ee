"""Mask IoU of segmented objects, e.g. for validation during training."""
from typing import Any, List, Optional, Sequence

from mmengine.evaluator import BaseMetric

from unipixel_mm.registry import METRICS
from ..functional import ciou_and_giou, intersection_and_union, object_tracks


@METRICS.register_module()
class MaskIoUMetric(BaseMetric):
    """IoU of each annotated object's masklet with its prediction.

    The i-th predicted masklet is compared with the i-th annotated object
    over all its frames, as one (T, H, W) volume; a missing prediction
    counts as empty and extra predictions are ignored. Reported in percent:
    ``mIoU``, the mean over objects, and ``cIoU``, the summed intersection
    over the summed union.

    Samples are dicts (data samples after ``to_dict()``) with
    ``pred_masks`` (list of (T, H, W) bool tensors) and ``gt_masks_ori``
    ((T, O, H, W) bool tensor), both at the original resolution.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``, where results gather
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'mask'``.
    """

    default_prefix: Optional[str] = 'mask'

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Store the intersection and union areas of each object.

        One result per sample: mmengine cuts the gathered results to the
        data set's length (dropping the distributed sampler's padding).

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Samples with the keys above.
        """
        for sample in data_samples:
            areas = [
                intersection_and_union(pred, gt) for pred, gt in
                object_tracks(sample['pred_masks'], sample['gt_masks_ori'])
            ]
            self.results.append(areas)

    def compute_metrics(self, results: List[list]) -> dict:
        """mIoU and cIoU over the objects of all ranks.

        Args:
            results (list[list[tuple[int, int]]]): Per sample, the
                (intersection, union) areas of its objects.

        Returns:
            dict[str, float]: ``'mIoU'`` and ``'cIoU'``.
        """
        areas = [area for sample in results for area in sample]
        if not areas:
            raise ValueError('MaskIoUMetric got no annotated objects')
        intersections, unions = zip(*areas)
        scores = ciou_and_giou(intersections, unions)
        return dict(mIoU=scores['gIoU'], cIoU=scores['cIoU'])
