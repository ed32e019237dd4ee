"""ReVOS robustness score.

ReVOS (Yan et al., VISA) rewards a model for not segmenting anything that
the expression does not refer to: per frame, the false-positive area is
compared with the area of all annotated objects of the video (the
foreground).
"""
import numpy as np

ROBUSTNESS_EPS = 1e-6


def robustness_score(pred: np.ndarray, gt: np.ndarray,
                     foreground: np.ndarray) -> np.ndarray:
    """Robustness of each frame: ``max(1 - |pred \\ gt| / |foreground|, 0)``.

    A small epsilon guards the division, so a frame without foreground scores
    1 when nothing is predicted outside the target and 0 otherwise.

    Args:
        pred (np.ndarray): (T, H, W) predicted masks; non-zero is foreground.
        gt (np.ndarray): (T, H, W) ground-truth masks of the target.
        foreground (np.ndarray): (T, H, W) union of every annotated object of
            the video.

    Returns:
        np.ndarray: (T,) float64 robustness per frame, in [0, 1].
    """
    if not pred.shape == gt.shape == foreground.shape:
        raise ValueError(f'Shapes differ: prediction {pred.shape}, ground '
                         f'truth {gt.shape}, foreground {foreground.shape}.')
    pred, gt, foreground = (m.astype(bool) for m in (pred, gt, foreground))
    false_pos = np.logical_and(pred, ~gt).sum(axis=(-2, -1))
    area = foreground.sum(axis=(-2, -1))
    return np.maximum(1 - false_pos / (area + ROBUSTNESS_EPS), 0.0)
