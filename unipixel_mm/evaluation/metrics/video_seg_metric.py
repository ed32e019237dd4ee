"""J, F and J&F of (referring / reasoning) video object segmentation."""
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.evaluator import BaseMetric

from unipixel_mm.registry import METRICS
from ..functional import (DEFAULT_BOUND_TH, PRED_SELECT_MODES, merged_track,
                          object_tracks, revos_accuracy, robustness_score,
                          summarize_video_seg, video_j_and_f)


@METRICS.register_module()
class VideoSegMetric(BaseMetric):
    """DAVIS-2017 J / F / J&F, per split, with the ReVOS robustness R.

    Each sample gives one record per scored track (J and F averaged over
    its frames); the benchmark numbers are means over records, in percent.

    - Referring / reasoning VOS (ReVOS, MeViS, Ref-DAVIS17, Ref-SAV,
      GroundMoRe; ``per_object=False``): the target is the union of all
      annotated objects of the expression and the prediction its first
      masklet (``pred_select='first'``, as the reference's ``infer_seg.py``
      saves ``model.seg[0][0]``) or the union of all predicted masks
      (``'union'``), one record per sample.
    - Semi-supervised VOS (``per_object=True``): the i-th predicted mask is
      scored against the i-th annotated object (a missing one is empty), one
      record per object.

    Samples are dicts (data samples after ``to_dict()``) with:

    - ``pred_masks`` (list[Tensor]): per predicted object a (T, H, W) bool
      mask at the original resolution.
    - ``gt_masks_ori`` (Tensor): (T, O, H, W) bool ground truth.
    - ``gt_foreground_masks`` (Tensor, optional): (T, H, W) the annotated
      objects of the video on the same frames, per pixel their number (the
      official script sums the object channels) or their union; when every
      sample has it, R and A are reported (ReVOS): per sample the frame
      mean of :func:`robustness_score` (each false-positive pixel weighs
      255, as in the official script) and of :func:`revos_accuracy`, then
      averaged like J and F.
    - ``<split_key>`` (optional): the split of the sample, e.g.
      ``'referring'`` / ``'reasoning'`` (ReVOS) or the question type
      (GroundMoRe).

    Args:
        bound_th (float): Boundary tolerance of F, a fraction of the image
            diagonal (or pixels when >= 1). Defaults to 0.008.
        per_object (bool): Score each object separately instead of the
            union of objects. Defaults to False.
        pred_select (str): Without ``per_object``, ``'first'`` or
            ``'union'``, see
            :func:`~unipixel_mm.evaluation.functional.select_prediction`.
            Defaults to ``'first'``.
        split_key (str, optional): Sample key naming the split; scores are
            also reported per split as ``'<split>/J'`` etc. Defaults to None.
        average_splits (bool): Overall scores are the unweighted mean of the
            split scores (ReVOS) rather than the mean over records
            (GroundMoRe). Records without a split are then left out.
            Defaults to False.
        duplicate_frames (str): ``'each'``: a frame sampled twice (a clip
            shorter than the frames sampled) is scored at each step with
            its own prediction; ``'last'``: every step of a frame name gets
            the prediction of its last step, as the reference's
            ``infer_seg.py`` writes one PNG per frame name and
            ``eval_groundmore.py`` reads it back (needs the samples'
            ``frame_names``). Defaults to ``'each'``.
        round_digits (int, optional): Round each record's J, F, A and R, in
            percent, to this many decimals before averaging, as the
            official ReVOS script does (2); None keeps them exact.
            Defaults to None.
        collect_device (str): ``'cpu'`` or ``'gpu'``, where results gather
            across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'vos'``.
    """

    default_prefix: Optional[str] = 'vos'

    def __init__(self,
                 bound_th: float = DEFAULT_BOUND_TH,
                 per_object: bool = False,
                 pred_select: str = 'first',
                 split_key: Optional[str] = None,
                 average_splits: bool = False,
                 duplicate_frames: str = 'each',
                 round_digits: Optional[int] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.bound_th = bound_th
        self.per_object = per_object
        if pred_select not in PRED_SELECT_MODES:
            raise ValueError(f'unknown pred_select {pred_select!r}, choose '
                             f'one of {PRED_SELECT_MODES}')
        self.pred_select = pred_select
        self.split_key = split_key
        self.average_splits = average_splits
        if duplicate_frames not in ('each', 'last'):
            raise ValueError(f'unknown duplicate_frames {duplicate_frames!r}'
                             ", choose 'each' or 'last'")
        self.duplicate_frames = duplicate_frames
        self.round_digits = round_digits

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Score the tracks of each sample into ``self.results``.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Samples with the keys above.
        """
        for sample in data_samples:
            split = sample.get(self.split_key) if self.split_key else None
            foreground = sample.get('gt_foreground_masks')
            if foreground is not None:
                # per-pixel object counts (or a bool union)
                foreground = np.asarray(
                    foreground.cpu() if hasattr(foreground, 'cpu') else
                    foreground).astype(np.int64)
            try:
                records = [
                    self._score_track(pred, gt, split, foreground)
                    for pred, gt in self._tracks(sample)
                ]
            except ValueError as e:
                name = sample.get('entry',
                                  f"sample {sample.get('sample_idx', '?')}")
                raise ValueError(f'{name}: {e}') from e
            # One result per sample, as the padding of distributed sampling
            # is dropped by counting results.
            self.results.append(records)

    def compute_metrics(self, results: List[List[dict]]) -> dict:
        """J, F, J&F (and R) overall and per split, in percent.

        Args:
            results (list[list[dict]]): The track records of every sample
                of all ranks.

        Returns:
            dict[str, float]: See :func:`summarize_video_seg`.
        """
        tracks = [track for sample in results for track in sample]
        return summarize_video_seg(tracks, self.average_splits)

    def _score_track(self, pred: np.ndarray, gt: np.ndarray, split: Any,
                     foreground: Optional[np.ndarray]) -> dict:
        """J, F (and A, R) of one (T, H, W) track, averaged over frames."""
        scores = dict(zip('JF', video_j_and_f(pred, gt, self.bound_th)))
        if foreground is not None:
            scores['A'] = float(revos_accuracy(pred, gt).mean())
            scores['R'] = float(robustness_score(pred, gt, foreground).mean())
        if self.round_digits is not None:
            scores = {
                k: round(100 * v, self.round_digits) / 100
                for k, v in scores.items()
            }
        return dict(scores, split=split)

    def _tracks(self, sample: dict) -> List[Tuple[np.ndarray, np.ndarray]]:
        """(prediction, target) pairs of (T, H, W) masks to score."""
        if self.per_object:
            return object_tracks(sample['pred_masks'], sample['gt_masks_ori'])
        pred, gt = merged_track(sample['pred_masks'], sample['gt_masks_ori'],
                                self.pred_select)
        if self.duplicate_frames == 'last':
            names = sample.get('frame_names')
            if names is None or len(names) != len(pred):
                raise ValueError("duplicate_frames='last' needs one frame "
                                 'name per frame (frame_names)')
            last = {name: t for t, name in enumerate(names)}
            pred = pred[[last[name] for name in names]]
        return [(pred, gt)]
