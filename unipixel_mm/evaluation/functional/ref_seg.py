"""cIoU and gIoU of referring / reasoning image segmentation.

RefCOCO, RefCOCO+, RefCOCOg and ReasonSeg report:

- cIoU: the cumulative intersection over the cumulative union of the whole
  data set, so large objects weigh more;
- gIoU: the mean of the per-sample IoU, where a sample with an empty
  prediction and an empty ground truth scores 1.
"""
from typing import Dict, Sequence, Tuple

import numpy as np


def intersection_and_union(pred: np.ndarray,
                           gt: np.ndarray) -> Tuple[int, int]:
    """Pixel counts of the intersection and union of two masks.

    Args:
        pred (np.ndarray): (..., H, W) predicted mask; non-zero is
            foreground.
        gt (np.ndarray): Ground-truth mask of the same shape.

    Returns:
        tuple[int, int]: |pred & gt| and |pred | gt|.
    """
    if pred.shape != gt.shape:
        raise ValueError(f'Prediction of shape {pred.shape} does not match '
                         f'ground truth of shape {gt.shape}.')
    pred, gt = pred.astype(bool), gt.astype(bool)
    return int((pred & gt).sum()), int((pred | gt).sum())


def sample_iou(intersection: int, union: int) -> float:
    """IoU of one sample; 1.0 when both masks are empty (``union == 0``).

    Args:
        intersection (int): Intersection area.
        union (int): Union area.

    Returns:
        float: ``intersection / union``.
    """
    return 1.0 if union == 0 else intersection / union


def ciou_and_giou(intersections: Sequence[int],
                  unions: Sequence[int]) -> Dict[str, float]:
    """cIoU and gIoU of a data set, in percent.

    Args:
        intersections (Sequence[int]): N per-sample intersection areas.
        unions (Sequence[int]): N per-sample union areas.

    Returns:
        dict[str, float]: ``'cIoU'`` (100 when every union is empty) and
        ``'gIoU'``.
    """
    if len(intersections) != len(unions) or not unions:
        raise ValueError('Expect as many intersections as unions, at least '
                         f'one; got {len(intersections)} and {len(unions)}.')
    ious = [sample_iou(i, u) for i, u in zip(intersections, unions)]
    return dict(
        cIoU=100 * sample_iou(sum(intersections), sum(unions)),
        gIoU=100 * float(np.mean(ious)))
