"""Mask scores of PixelQA (joint referring, segmentation and QA).

Unlike the DAVIS-style J and F, PixelQA scores each object track as one
volume: J is the IoU of the (T, H, W) masks and F the pixel-level F1 of
the same volumes (not a boundary measure). An epsilon keeps the divisions
finite, so an object with empty prediction and empty ground truth scores 0.
"""
from typing import Tuple

import numpy as np

VOLUME_EPS = 1e-6


def volume_iou(pred: np.ndarray,
               gt: np.ndarray,
               eps: float = VOLUME_EPS) -> float:
    """IoU of two mask volumes: ``|P & G| / (|P | G| + eps)``.

    Args:
        pred (np.ndarray): (T, H, W) predicted masks of one object.
        gt (np.ndarray): (T, H, W) ground-truth masks of that object.
        eps (float): Added to the union. Defaults to 1e-6.

    Returns:
        float: The IoU in [0, 1).
    """
    tp, fp, fn = _confusion(pred, gt)
    return float(tp / (tp + fp + fn + eps))


def volume_pixel_f1(pred: np.ndarray,
                    gt: np.ndarray,
                    eps: float = VOLUME_EPS) -> float:
    """Pixel-level F1 of two mask volumes.

    ``P = TP / (TP + FP + eps)``, ``R = TP / (TP + FN + eps)`` and
    ``F = 2PR / (P + R + eps)``.

    Args:
        pred (np.ndarray): (T, H, W) predicted masks of one object.
        gt (np.ndarray): (T, H, W) ground-truth masks of that object.
        eps (float): Added to every denominator. Defaults to 1e-6.

    Returns:
        float: The F1 in [0, 1).
    """
    tp, fp, fn = _confusion(pred, gt)
    precision = tp / (tp + fp + eps)
    recall = tp / (tp + fn + eps)
    return float(2 * precision * recall / (precision + recall + eps))


def _confusion(pred: np.ndarray, gt: np.ndarray) -> Tuple[int, int, int]:
    """True-positive, false-positive and false-negative pixel counts."""
    if pred.shape != gt.shape:
        raise ValueError(f'Prediction of shape {pred.shape} does not match '
                         f'ground truth of shape {gt.shape}.')
    pred, gt = pred.astype(bool), gt.astype(bool)
    return (int((pred & gt).sum()), int(
        (pred & ~gt).sum()), int((~pred & gt).sum()))
