"""Conversions of the mask inputs that metrics receive."""
from typing import List, Sequence, Tuple, Union

import numpy as np
import torch

MaskLike = Union[np.ndarray, torch.Tensor]


def to_bool_array(mask: MaskLike) -> np.ndarray:
    """Turn a mask of any dtype and device into a numpy bool array.

    Args:
        mask (np.ndarray | torch.Tensor): A mask of any shape; non-zero values
            are foreground (so 0/1 and 0/255 masks are both accepted).

    Returns:
        np.ndarray: A bool array of the same shape.
    """
    if isinstance(mask, torch.Tensor):
        mask = mask.detach().cpu().numpy()
    return np.asarray(mask) != 0


def union_of_masks(masks: Sequence[MaskLike], shape: Tuple[int,
                                                           ...]) -> np.ndarray:
    """Merge several object masks into one, e.g. all masks of one expression.

    Args:
        masks (Sequence[np.ndarray | torch.Tensor]): N masks, each of
            ``shape``, e.g. (T, H, W). May be empty.
        shape (tuple[int]): The shape of the result, used when ``masks`` is
            empty.

    Returns:
        np.ndarray: A bool array of ``shape``; all False when ``masks`` is
        empty.
    """
    merged = np.zeros(shape, dtype=bool)
    for mask in masks:
        mask = to_bool_array(mask)
        if mask.shape != shape:
            raise ValueError(
                f'Mask of shape {mask.shape} cannot merge into {shape}.')
        merged |= mask
    return merged


def object_tracks(pred_masks: Sequence[MaskLike],
                  gt_masks: MaskLike) -> List[Tuple[np.ndarray, np.ndarray]]:
    """Pair the i-th predicted mask with the i-th annotated object.

    A model may predict fewer objects than annotated; a missing object counts
    as an empty prediction, and extra predictions are ignored.

    Args:
        pred_masks (Sequence[np.ndarray | torch.Tensor]): N masks, each
            (T, H, W).
        gt_masks (np.ndarray | torch.Tensor): (T, O, H, W) ground truth.

    Returns:
        list[tuple[np.ndarray, np.ndarray]]: O (prediction, ground truth)
        pairs of (T, H, W) bool arrays.
    """
    gt = to_bool_array(gt_masks)
    shape = (gt.shape[0], *gt.shape[2:])
    # Slicing past the predictions gives no mask, hence an empty union.
    return [(union_of_masks(pred_masks[i:i + 1], shape), gt[:, i])
            for i in range(gt.shape[1])]


#: How the masks of a sample's ``<|seg|>`` tokens become its prediction.
PRED_SELECT_MODES = ('first', 'union')


def select_prediction(pred_masks: Sequence[MaskLike], shape: Tuple[int, ...],
                      mode: str = 'first') -> np.ndarray:
    """The one prediction of a sample that predicts several masklets.

    Args:
        pred_masks (Sequence[np.ndarray | torch.Tensor]): N masks, one per
            ``<|seg|>`` token in order, each of ``shape``; may be empty.
        shape (tuple[int]): The shape of a mask, e.g. (T, H, W).
        mode (str): ``'first'``: the first masklet, as the reference scores
            (``model.seg[0][0]`` in ``infer_seg.py``); ``'union'``: the union
            of all of them. Both are empty without a prediction.

    Returns:
        np.ndarray: A bool array of ``shape``.
    """
    if mode not in PRED_SELECT_MODES:
        raise ValueError(f'unknown pred_select {mode!r}, choose one of '
                         f'{PRED_SELECT_MODES}')
    return union_of_masks(
        pred_masks[:1] if mode == 'first' else pred_masks, shape)


def merged_track(pred_masks: Sequence[MaskLike],
                 gt_masks: MaskLike,
                 pred_select: str = 'union') -> Tuple[np.ndarray, np.ndarray]:
    """The prediction and the union of all annotated objects, e.g. of one
    expression.

    Args:
        pred_masks (Sequence[np.ndarray | torch.Tensor]): N masks, each
            (T, H, W); may be empty.
        gt_masks (np.ndarray | torch.Tensor): (T, O, H, W) ground truth.
        pred_select (str): Which prediction, see :func:`select_prediction`.
            Defaults to ``'union'``.

    Returns:
        tuple[np.ndarray, np.ndarray]: The selected prediction and the
        union of the objects, (T, H, W) bool arrays.
    """
    gt = to_bool_array(gt_masks).any(axis=1)
    return select_prediction(pred_masks, gt.shape, pred_select), gt
