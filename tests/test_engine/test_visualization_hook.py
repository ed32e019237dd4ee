from types import SimpleNamespace

import cv2
import torch

from unipixel_mm.engine.hooks import PixelVisualizationHook
from unipixel_mm.structures import PixelDataSample
from unipixel_mm.visualization import UniPixelVisualizer, object_color


def test_hook_draws_predictions_and_ground_truth(tmp_path):
    UniPixelVisualizer.get_instance('hook_test_visualizer')
    hook = PixelVisualizationHook(enable=True, out_dir=str(tmp_path))
    sample = PixelDataSample(metainfo=dict(frame_size=(60, 70)))
    pred = torch.zeros(2, 60, 70, dtype=torch.bool)
    pred[:, 10:30, 20:40] = True
    sample.pred_masks = [pred]
    sample.gt_masks_ori = pred[:, None]
    batch = dict(inputs=[dict(frames=torch.zeros(2, 3, 128, 128))])
    runner = SimpleNamespace(log_dir=str(tmp_path), iter=0)
    hook.after_test_iter(runner, 0, batch, [sample])
    drawing = cv2.imread(str(tmp_path / 'test_0_0.png'))[..., ::-1]
    # two rows (prediction, ground truth) of two frames
    assert drawing.shape == (120, 140, 3)
    inside, outside = drawing[20, 30].astype(int), drawing[50, 5].astype(int)
    assert abs(inside - (outside + object_color(0)) / 2).max() <= 1
    disabled = PixelVisualizationHook(enable=False, out_dir=str(tmp_path))
    disabled.after_test_iter(runner, 1, batch, [sample])
    assert not (tmp_path / 'test_1_0.png').exists()
