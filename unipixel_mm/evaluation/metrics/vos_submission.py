"""Masks in the layout of server-scored benchmarks (MeViS valid,
Ref-YouTube-VOS), zipped for submission."""
import os
import os.path as osp
import shutil
from typing import Any, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.evaluator import BaseMetric

from unipixel_mm.registry import METRICS
from ..functional import PRED_SELECT_MODES, select_prediction


@METRICS.register_module()
class VOSSubmissionMetric(BaseMetric):
    """Write each expression's predicted masks as PNG files and zip them.

    The layout is ``<out_dir>/<folder>/<video_id>/<exp_id>/<frame>.png``,
    one 0 / 255 single-channel PNG per frame, as the MeViS and
    Ref-YouTube-VOS servers expect: the first predicted masklet, as the
    reference's ``infer_seg.py`` writes it, or with ``pred_select='union'``
    the union of the sample's predicted objects; an empty mask when the
    model segmented nothing. Every rank
    writes its own samples; rank 0 zips ``<folder>`` into
    ``<out_dir>/<zip_name>`` after all ranks are done.

    Samples (dicts) need ``pred_masks`` (list of (T, H, W) bool) and the
    metainfo keys ``video_id``, ``exp_id`` and ``frame_names`` (the T frame
    file stems), plus ``frame_size`` (H, W). When the pipeline kept only
    some of the frames, ``frame_inds`` (their indices into ``frame_names``)
    names them.

    Args:
        out_dir (str): where to write.
        folder (str): top folder inside the zip. Defaults to
            ``'Annotations'``.
        zip_name (str): archive name (without ``.zip``); None skips zipping.
        pred_select (str): ``'first'`` or ``'union'``, see
            :func:`~unipixel_mm.evaluation.functional.select_prediction`.
            Defaults to ``'first'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): metric name prefix.
    """

    default_prefix: Optional[str] = 'submission'

    def __init__(self,
                 out_dir: str,
                 folder: str = 'Annotations',
                 zip_name: Optional[str] = 'submission',
                 pred_select: str = 'first',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_dir = out_dir
        self.folder = folder
        self.zip_name = zip_name
        if pred_select not in PRED_SELECT_MODES:
            raise ValueError(f'unknown pred_select {pred_select!r}, choose '
                             f'one of {PRED_SELECT_MODES}')
        self.pred_select = pred_select

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Write the PNG files of each sample."""
        for sample in data_samples:
            names = list(sample['frame_names'])
            if 'frame_inds' in sample:
                names = [names[i] for i in sample['frame_inds']]
            height, width = sample['frame_size']
            shape = (len(names), height, width)
            masks = sample['pred_masks']
            if any(tuple(m.shape) != shape for m in masks):
                raise ValueError(
                    f"{sample['video_id']}/{sample['exp_id']}: masks of shape "
                    f'{[tuple(m.shape) for m in masks]} for {len(names)} '
                    f'frames of {height}x{width}')
            pred = select_prediction(masks, shape, self.pred_select)
            folder = osp.join(self.out_dir, self.folder,
                              str(sample['video_id']), str(sample['exp_id']))
            os.makedirs(folder, exist_ok=True)
            for name, mask in zip(names, pred):
                path = osp.join(folder, f'{name}.png')
                if not cv2.imwrite(path, mask.astype(np.uint8) * 255):
                    raise OSError(f'Could not write "{path}"')
            self.results.append(len(names))

    def compute_metrics(self, results: List[int]) -> dict:
        """Zip the written masks and count them.

        mmengine calls this on rank 0 once the results of every rank are
        collected, so every rank has written its files by then.
        """
        metrics = dict(num_masks=sum(results))
        if self.zip_name:
            shutil.make_archive(
                osp.join(self.out_dir, self.zip_name),
                'zip',
                root_dir=self.out_dir,
                base_dir=self.folder)
        return metrics
