"""ReVOS robustness and accuracy scores.

ReVOS (Yan et al., VISA) rewards a model for not segmenting anything that
the expression does not refer to: per frame, the false-positive area is
compared with the area of all annotated objects of the video (the
foreground, ``mask_dict_foreground.json``).

The official script (``eval_revos.py`` of VISA / UniPixel) multiplies the
uint8 mask images the predictions are saved as (0 / 255), so each
false-positive pixel weighs 255 against one pixel of foreground;
:data:`REVOS_FALSE_POSITIVE_WEIGHT` keeps this, so that R is the number the
official script gives. Its foreground is the *sum* of the stacked object
channels of a frame (a pixel of k overlapping objects counts k times), so
:func:`robustness_score` takes the foreground as per-pixel counts. Not
reproduced: there the target is the uint8 *sum* of the expression's objects,
and a predicted pixel covered by k >= 2 of them adds k - 1 (a wrap-around)
instead of 0.

Its accuracy A compares the target sum with the 0 / 255 prediction pixel by
pixel, so only the pixels where both are 0 agree: :func:`revos_accuracy`.
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

    ``|fg|`` is the sum of ``foreground``: its pixel count when it is a
    binary mask, the official script's sum over object channels when it
    holds per-pixel object counts.

    ``w`` is ``false_positive_weight``: 255 in the official ReVOS score
    (see the module docstring), 1 for the plain ratio. A small epsilon
    guards the division, so a frame without foreground scores 1 when nothing
    is predicted outside the target and 0 otherwise.

    Args:
        pred (np.ndarray): (T, H, W) predicted masks; non-zero is foreground.
        gt (np.ndarray): (T, H, W) ground-truth masks of the target.
        foreground (np.ndarray): (T, H, W) the annotated objects of the
            video: per pixel the number of objects (or a bool union).
        false_positive_weight (float): Weight ``w`` of a false-positive
            pixel. Defaults to :data:`REVOS_FALSE_POSITIVE_WEIGHT` (255).

    Returns:
        np.ndarray: (T,) float64 robustness per frame, in [0, 1].
    """
    if not pred.shape == gt.shape == foreground.shape:
        raise ValueError(f'Shapes differ: prediction {pred.shape}, ground '
                         f'truth {gt.shape}, foreground {foreground.shape}.')
    pred, gt = pred.astype(bool), gt.astype(bool)
    false_pos = np.logical_and(pred, ~gt).sum(axis=(-2, -1))
    area = foreground.astype(np.int64).sum(axis=(-2, -1))
    penalty = false_positive_weight * false_pos / (area + ROBUSTNESS_EPS)
    return np.maximum(1 - penalty, 0.0)


def revos_accuracy(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """ReVOS accuracy A of each frame, as ``eval_revos.py`` computes it.

    The official script compares the saved 0 / 255 prediction with the
    0 / 1 target (``mean(gt == pred)``), so a pixel agrees only where both
    are empty: A is the fraction of pixels outside both masks.

    Args:
        pred (np.ndarray): (T, H, W) predicted masks; non-zero is
            foreground.
        gt (np.ndarray): (T, H, W) ground-truth masks of the target.

    Returns:
        np.ndarray: (T,) float64 accuracy per frame, in [0, 1].
    """
    if pred.shape != gt.shape:
        raise ValueError(f'Shapes differ: prediction {pred.shape}, ground '
                         f'truth {gt.shape}.')
    empty = ~(pred.astype(bool) | gt.astype(bool))
    return empty.mean(axis=(-2, -1))
