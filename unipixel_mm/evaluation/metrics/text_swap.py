"""Text-swap accuracy: does the text choose the object that is segmented?"""
from collections import defaultdict
from itertools import combinations
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from unipixel_mm.registry import METRICS
from ..functional import intersection_and_union, to_bool_array, union_of_masks


def picked_object(pred: np.ndarray, objects: Sequence[np.ndarray]) -> int:
    """The object a predicted masklet lies on: the one of highest IoU.

    Args:
        pred (np.ndarray): (T, H, W) bool prediction.
        objects (Sequence[np.ndarray]): The clip's objects, (T, H, W) bool
            each.

    Returns:
        int: Index into ``objects``; -1 when the prediction overlaps none
        or two objects tie for the highest IoU.
    """
    ious = []
    for obj in objects:
        inter, union = intersection_and_union(pred, obj)
        ious.append(inter / union if union else 0.0)
    best = int(np.argmax(ious))
    if ious[best] == 0 or ious.count(ious[best]) > 1:
        return -1
    return best


@METRICS.register_module()
class TextSwapMetric(BaseMetric):
    """How often swapping the text on a clip moves the mask with it.

    Samples that share a clip (the metainfo ``group_key``) each name one
    object of it (their ``gt_masks_ori``); samples with equal masks name the
    same object. A prediction *picks* the named object of the clip it has
    the highest IoU with. Two samples of a clip that name different objects
    form a pair, which counts as followed when both predictions pick their
    own named object: the same frames, another text, the mask on the other
    object. Reported in percent: ``accuracy``, the share of followed pairs,
    and ``pick_accuracy``, the share of the paired samples whose prediction
    picks its named object. Clips with one named object are left out.

    Samples are dicts (data samples after ``to_dict()``) with
    ``pred_masks`` (list of (T, H, W) bool tensors; the first is the
    prediction, none counts as empty), ``gt_masks_ori`` ((T, 1, H, W) bool)
    and the metainfo key ``group_key``.

    Args:
        group_key (str): Metainfo key naming the clip. Defaults to
            ``'video_id'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``, where results gather
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'text_swap'``.
    """

    default_prefix: Optional[str] = 'text_swap'

    def __init__(self,
                 group_key: str = 'video_id',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.group_key = group_key

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Store each sample's clip, named object and prediction.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Samples with the keys above.
        """
        for sample in data_samples:
            if self.group_key not in sample:
                raise KeyError(f'TextSwapMetric groups samples by the '
                               f'metainfo {self.group_key!r}, which sample '
                               f"{sample.get('sample_idx')} lacks")
            gt = to_bool_array(sample['gt_masks_ori'])
            if gt.ndim != 4 or gt.shape[1] != 1:
                raise ValueError(
                    f"TextSwapMetric needs one named object a sample, "
                    f"sample {sample.get('sample_idx')} has gt_masks_ori "
                    f'of shape {tuple(gt.shape)}')
            shape = (gt.shape[0], *gt.shape[2:])
            pred = union_of_masks(sample['pred_masks'][:1], shape)
            # packed: a sample's masks are kept until all ranks gathered
            self.results.append(
                (str(sample[self.group_key]), np.packbits(gt[:, 0]),
                 np.packbits(pred), shape))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """Pairwise swap accuracy over the clips of all ranks.

        Args:
            results (list[tuple]): Per sample (clip, packed named object,
                packed prediction, (T, H, W)).

        Returns:
            dict[str, float]: ``'accuracy'`` and ``'pick_accuracy'``.
        """
        clips = defaultdict(list)
        for clip, gt, pred, shape in results:
            size = int(np.prod(shape))
            clips[clip].append(
                (np.unpackbits(gt, count=size).reshape(shape).astype(bool),
                 np.unpackbits(pred, count=size).reshape(shape).astype(bool)))
        followed = pairs = 0
        right_of_paired = []
        for samples in clips.values():
            objects, named = [], []
            for gt, _ in samples:
                same = [k for k, obj in enumerate(objects)
                        if np.array_equal(obj, gt)]
                if not same:
                    objects.append(gt)
                named.append(same[0] if same else len(objects) - 1)
            if len(objects) < 2:
                continue
            right = [
                picked_object(pred, objects) == k
                for k, (_, pred) in zip(named, samples)
            ]
            right_of_paired += right
            for i, j in combinations(range(len(samples)), 2):
                if named[i] != named[j]:
                    pairs += 1
                    followed += right[i] and right[j]
        if not pairs:
            raise ValueError(
                'TextSwapMetric found no clip with two named objects (by '
                f'the metainfo {self.group_key!r})')
        return dict(
            accuracy=100 * followed / pairs,
            pick_accuracy=100 * sum(right_of_paired) / len(right_of_paired))
