"""Draw predicted (and ground-truth) masks during validation / testing."""
import os.path as osp
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.hooks import Hook
from mmengine.visualization import Visualizer

from unipixel_mm.datasets.transforms.processing import SAM2_MEAN, SAM2_STD
from unipixel_mm.registry import HOOKS


def frames_for_drawing(frames: torch.Tensor,
                       size: Sequence[int]) -> np.ndarray:
    """Undo the SAM2 normalisation: (T, 3, S, S) -> (T, H, W, 3) uint8."""
    mean = frames.new_tensor(SAM2_MEAN)[None, :, None, None]
    std = frames.new_tensor(SAM2_STD)[None, :, None, None]
    frames = (frames.float() * std + mean).clamp(0, 1)
    frames = F.interpolate(
        frames,
        size=tuple(int(s) for s in size),
        mode='bilinear',
        align_corners=False)
    return (frames * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()


@HOOKS.register_module()
class PixelVisualizationHook(Hook):
    """Draw every ``interval``-th sample's masks with the visualizer.

    The frames are the SAM2 inputs of the batch, de-normalised and resized
    to the sample's ``frame_size``; predicted masklets are drawn in object
    colours with the answer, ground truth (``gt_masks_ori``) in a second row.

    Args:
        enable (bool): draw at all (``tools/test.py --show-dir`` turns it
            on). Defaults to False.
        interval (int): draw every ``interval``-th batch. Defaults to 1.
        draw_gt (bool): also draw the ground truth. Defaults to True.
        out_dir (str, optional): write PNG files there (relative paths go
            under the run's log directory); otherwise the visualizer's
            backends receive the drawings.
    """

    def __init__(self,
                 enable: bool = False,
                 interval: int = 1,
                 draw_gt: bool = True,
                 out_dir: Optional[str] = None) -> None:
        self.enable = enable
        self.interval = interval
        self.draw_gt = draw_gt
        self.out_dir = out_dir

    def _draw(self, runner, batch_idx: int, data_batch: dict,
              outputs: Sequence, mode: str) -> None:
        if not self.enable or batch_idx % self.interval:
            return
        visualizer = Visualizer.get_current_instance()
        out_dir = self.out_dir
        if out_dir is not None and not osp.isabs(out_dir):
            out_dir = osp.join(runner.log_dir, out_dir)
        for i, (inputs,
                sample) in enumerate(zip(data_batch['inputs'], outputs)):
            frames = inputs.get('frames')
            if frames is None:
                continue
            size = sample.metainfo.get('frame_size', frames.shape[-2:])
            name = f'{mode}_{batch_idx}_{i}'
            visualizer.add_datasample(
                name,
                frames_for_drawing(frames, size),
                sample,
                draw_gt=self.draw_gt,
                out_file=None if out_dir is None else osp.join(
                    out_dir, name + '.png'),
                step=runner.iter)

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence) -> None:
        self._draw(runner, batch_idx, data_batch, outputs, 'val')

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence) -> None:
        self._draw(runner, batch_idx, data_batch, outputs, 'test')
