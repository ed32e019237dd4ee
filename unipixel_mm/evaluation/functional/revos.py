"""ReVOS robustness score.

ReVOS (Yan et al., VISA) rewards a model for not segmenting anything that
the expression does not refer to: per frame, the false-positive area is
compared with the area of all annotated objects of the video (the
foreground, ``mask_dict_foreground.json``).

The official script (``eval_revos.py`` of VISA / UniPixel) multiplies the
uint8 mask images the predictions are saved as (0 / 255), so each
false-positive pixel weighs 255 against one pixel of foreground;
:data:`REVOS_FALSE_POSITIVE_WEIGHT` keeps this, so that R is the number the
official script gives. Not reproduced: there the target is the uint8 *sum*
of the expression's objects, and a predicted pixel covered by k >= 2 of them
adds k - 1 (a wrap-around) instead of 0.
"""
import numpy as np

ROBUSTNESS_EPS = 1e-6
#: Weight of a false-positive pixel in the official ReVOS score: the value
#: of a predicted pixel in the saved 0 / 255 mask images.
REVOS_FALSE_POSITIVE_WEIGHT = 255.0


def robustness_score(
        pred: np.ndarray,
        gt: np.ndarray,
        foreground: np.ndarray,
        false_positive_weight: float = REVOS_FALSE_POSITIVE_WEIGHT
) -> np.ndarray:
    """Robustness of each frame: ``max(1 - w |pred \\ gt| / |fg|, 0)``.

    ``w`` is ``false_positive_weight``: 255 in the official ReVOS score
    (see the module docstring), 1 for the plain ratio. A small epsilon
    guards the division, so a frame without foreground scores 1 when nothing
    is predicted outside the target and 0 otherwise.

    Args:
        pred (np.ndarray): (T, H, W) predicted masks; non-zero is foreground.
        gt (np.ndarray): (T, H, W) ground-truth masks of the target.
        foreground (np.ndarray): (T, H, W) union of every annotated object of
            the video.
        false_positive_weight (float): Weight ``w`` of a false-positive
            pixel. Defaults to :data:`REVOS_FALSE_POSITIVE_WEIGHT` (255).

    Returns:
        np.ndarray: (T,) float64 robustness per frame, in [0, 1].
    """
    if not pred.shape == gt.shape == foreground.shape:
        raise ValueError(f'Shapes differ: prediction {pred.shape}, ground '
                         f'truth {gt.shape}, foreground {foreground.shape}.')
    pred, gt, foreground = (m.astype(bool) for m in (pred, gt, foreground))
    false_pos = np.logical_and(pred, ~gt).sum(axis=(-2, -1))
    area = foreground.sum(axis=(-2, -1))
    penalty = false_positive_weight * false_pos / (area + ROBUSTNESS_EPS)
    return np.maximum(1 - penalty, 0.0)
