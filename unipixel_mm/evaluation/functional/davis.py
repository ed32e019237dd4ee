"""DAVIS-2017 region similarity J and boundary F-measure.

The definitions follow the official ``davis2017-evaluation`` toolkit
(Pont-Tuset et al.), which the video segmentation benchmarks of UniPixel
(ReVOS, MeViS, Ref-DAVIS17, Ref-SAV, GroundMoRe) all use:

- J is the IoU of a frame; a frame where both masks are empty scores 1.
- F matches one-pixel-wide boundary maps of the two masks within a tolerance
  of ``ceil(bound_th * image diagonal)`` pixels (``bound_th`` itself when it
  is at least 1), and takes the F-measure of boundary precision and recall.
"""
import math
from typing import Tuple

import cv2
import numpy as np

DEFAULT_BOUND_TH = 0.008


def region_similarity(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Jaccard index (IoU) of each frame.

    Args:
        pred (np.ndarray): (..., H, W) predicted masks; non-zero is
            foreground.
        gt (np.ndarray): (..., H, W) ground-truth masks, same shape.

    Returns:
        np.ndarray: (...) float64 IoU per frame, 1.0 where both are empty.
    """
    _check_same_shape(pred, gt)
    pred, gt = pred.astype(bool), gt.astype(bool)
    inter = np.logical_and(pred, gt).sum(axis=(-2, -1))
    union = np.logical_or(pred, gt).sum(axis=(-2, -1))
    return np.where(union == 0, 1.0, inter / np.maximum(union, 1))


def mask_to_boundary(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide boundary map of a binary mask.

    A pixel is on the boundary when it differs from its right, lower or
    lower-right neighbour (pixels outside the image count as background), so
    the boundary sits half a pixel towards the origin from the true contour.
    As in the DAVIS toolkit, the last row only compares with the right
    neighbour, the last column only with the lower one, and the bottom-right
    corner is never a boundary pixel.

    Args:
        mask (np.ndarray): (H, W) mask; non-zero is foreground.

    Returns:
        np.ndarray: (H, W) bool boundary map.
    """
    mask = mask.astype(bool)
    right = np.zeros_like(mask)
    below = np.zeros_like(mask)
    below_right = np.zeros_like(mask)
    right[:, :-1] = mask[:, 1:]
    below[:-1, :] = mask[1:, :]
    below_right[:-1, :-1] = mask[1:, 1:]

    boundary = (mask ^ right) | (mask ^ below) | (mask ^ below_right)
    boundary[-1, :] = mask[-1, :] ^ right[-1, :]
    boundary[:, -1] = mask[:, -1] ^ below[:, -1]
    boundary[-1, -1] = False
    return boundary


def boundary_tolerance(height: int,
                       width: int,
                       bound_th: float = DEFAULT_BOUND_TH) -> int:
    """Radius in pixels within which two boundary pixels match.

    Args:
        height (int): Image height H.
        width (int): Image width W.
        bound_th (float): A fraction of the image diagonal when below 1,
            otherwise a radius in pixels. Defaults to 0.008.

    Returns:
        int: ``ceil(bound_th * sqrt(H^2 + W^2))``, or ``bound_th`` if >= 1.
    """
    if bound_th >= 1:
        return int(bound_th)
    return int(math.ceil(bound_th * math.hypot(height, width)))


def disk_kernel(radius: int) -> np.ndarray:
    """Disk structuring element: offsets (dy, dx) with dy^2 + dx^2 <= r^2.

    Args:
        radius (int): Radius r in pixels.

    Returns:
        np.ndarray: (2r + 1, 2r + 1) uint8 kernel.
    """
    offsets = np.arange(-radius, radius + 1)
    dy, dx = np.meshgrid(offsets, offsets, indexing='ij')
    return (dy**2 + dx**2 <= radius**2).astype(np.uint8)


def frame_boundary_f_measure(pred: np.ndarray,
                             gt: np.ndarray,
                             bound_th: float = DEFAULT_BOUND_TH) -> float:
    """Boundary F-measure of one frame.

    Edge cases: with no predicted boundary, precision is 1 and recall 0 (1 if
    the ground truth has no boundary either); with no ground-truth boundary
    but a predicted one, precision is 0 and recall 1.

    Args:
        pred (np.ndarray): (H, W) predicted mask.
        gt (np.ndarray): (H, W) ground-truth mask.
        bound_th (float): Tolerance, see :func:`boundary_tolerance`.

    Returns:
        float: F = 2PR / (P + R), 0 when P + R = 0.
    """
    _check_same_shape(pred, gt)
    pred_boundary = mask_to_boundary(pred)
    gt_boundary = mask_to_boundary(gt)
    num_pred, num_gt = int(pred_boundary.sum()), int(gt_boundary.sum())

    if num_pred == 0 or num_gt == 0:
        precision = 1.0 if num_pred == 0 else 0.0
        recall = 1.0 if num_gt == 0 else 0.0
    else:
        kernel = disk_kernel(boundary_tolerance(*gt.shape, bound_th))
        pred_near = cv2.dilate(pred_boundary.astype(np.uint8), kernel) > 0
        gt_near = cv2.dilate(gt_boundary.astype(np.uint8), kernel) > 0
        precision = (pred_boundary & gt_near).sum() / num_pred
        recall = (gt_boundary & pred_near).sum() / num_gt

    if precision + recall == 0:
        return 0.0
    return float(2 * precision * recall / (precision + recall))


def boundary_f_measure(pred: np.ndarray,
                       gt: np.ndarray,
                       bound_th: float = DEFAULT_BOUND_TH) -> np.ndarray:
    """Boundary F-measure of each frame.

    Args:
        pred (np.ndarray): (..., H, W) predicted masks.
        gt (np.ndarray): (..., H, W) ground-truth masks, same shape.
        bound_th (float): Tolerance, see :func:`boundary_tolerance`.

    Returns:
        np.ndarray: (...) float64 F per frame.
    """
    _check_same_shape(pred, gt)
    frames_shape = pred.shape[:-2]
    pred = pred.reshape(-1, *pred.shape[-2:])
    gt = gt.reshape(-1, *gt.shape[-2:])
    scores = [
        frame_boundary_f_measure(p, g, bound_th) for p, g in zip(pred, gt)
    ]
    return np.asarray(scores, dtype=np.float64).reshape(frames_shape)


def video_j_and_f(pred: np.ndarray,
                  gt: np.ndarray,
                  bound_th: float = DEFAULT_BOUND_TH) -> Tuple[float, float]:
    """Frame-averaged J and F of one object track.

    Args:
        pred (np.ndarray): (T, H, W) predicted masks of one object.
        gt (np.ndarray): (T, H, W) ground-truth masks of that object.
        bound_th (float): Tolerance, see :func:`boundary_tolerance`.

    Returns:
        tuple[float, float]: Mean J and mean F over the T frames, in [0, 1].
    """
    j = region_similarity(pred, gt).mean()
    f = boundary_f_measure(pred, gt, bound_th).mean()
    return float(j), float(f)


def _check_same_shape(pred: np.ndarray, gt: np.ndarray) -> None:
    if pred.shape != gt.shape:
        raise ValueError(f'Prediction of shape {pred.shape} does not match '
                         f'ground truth of shape {gt.shape}.')
