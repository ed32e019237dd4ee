"""cIoU / gIoU of referring and reasoning image segmentation."""
from typing import Any, List, Optional, Sequence

from mmengine.evaluator import BaseMetric

from unipixel_mm.registry import METRICS
from ..functional import (PRED_SELECT_MODES, ciou_and_giou,
                          intersection_and_union, merged_track, to_bool_array)

#: How :class:`RefSegMetric` treats ReasonSeg's ``'ignore'`` pixels.
IGNORE_MODES = ('score', 'exclude')


@METRICS.register_module()
class RefSegMetric(BaseMetric):
    """cIoU and gIoU of RefCOCO / RefCOCO+ / RefCOCOg / ReasonSeg.

    The prediction of a sample is its first predicted masklet (the first
    ``<|seg|>`` token's, as the reference's ``infer_seg.py`` scores it) or,
    with ``pred_select='union'``, the union of all of them; the target is
    the union of its annotated objects; both are compared over all their
    frames (one for images).

    Samples are dicts (data samples after ``to_dict()``) with
    ``pred_masks`` (list of (T, H, W) bool tensors) and ``gt_masks_ori``
    ((T, O, H, W) bool tensor), both at the original resolution, and
    optionally ``gt_ignore_masks`` ((T, H, W) bool): ReasonSeg's
    ``'ignore'`` polygons. The reference's ``infer_seg.py`` scores them as
    background: it draws them with -1 on a uint8 canvas, which OpenCV
    saturates to 0, so its ``keep = mask != -1`` keeps every pixel (found by
    the evaluation parity harness, ``tools/parity``).

    Args:
        pred_select (str): ``'first'`` or ``'union'``, see
            :func:`~unipixel_mm.evaluation.functional.select_prediction`.
            Defaults to ``'first'``.
        ignore_pixels (str): ``'score'``: the ignore pixels are background
            like any other (the reference); ``'exclude'``: they count in
            neither the intersection nor the union (LISA's intent).
            Defaults to ``'score'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``, where results gather
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'refseg'``.
    """

    default_prefix: Optional[str] = 'refseg'

    def __init__(self,
                 pred_select: str = 'first',
                 ignore_pixels: str = 'score',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if pred_select not in PRED_SELECT_MODES:
            raise ValueError(f'unknown pred_select {pred_select!r}, choose '
                             f'one of {PRED_SELECT_MODES}')
        self.pred_select = pred_select
        if ignore_pixels not in IGNORE_MODES:
            raise ValueError(f'unknown ignore_pixels {ignore_pixels!r}, '
                             f'choose one of {IGNORE_MODES}')
        self.ignore_pixels = ignore_pixels

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Store the intersection and union areas of each sample.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Samples with the keys above.
        """
        for sample in data_samples:
            pred, gt = merged_track(sample['pred_masks'],
                                    sample['gt_masks_ori'], self.pred_select)
            if self.ignore_pixels == 'exclude' and sample.get(
                    'gt_ignore_masks') is not None:
                keep = ~to_bool_array(sample['gt_ignore_masks'])
                pred, gt = pred & keep, gt & keep
            inter, union = intersection_and_union(pred, gt)
            self.results.append(dict(intersection=inter, union=union))

    def compute_metrics(self, results: List[dict]) -> dict:
        """cIoU and gIoU over all ranks, in percent.

        Args:
            results (list[dict]): The areas of all samples.

        Returns:
            dict[str, float]: ``'cIoU'`` and ``'gIoU'``.
        """
        return ciou_and_giou([r['intersection'] for r in results],
                             [r['union'] for r in results])
