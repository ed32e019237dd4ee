"""Draw UniPixel's visual prompts and masks on frames."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.visualization import Visualizer

from unipixel_mm.registry import VISUALIZERS

# distinct, saturated object colours (RGB)
PALETTE: List[Tuple[int, int, int]] = [(230, 25, 75), (60, 180, 75),
                                       (0, 130, 200), (245, 130, 48),
                                       (145, 30, 180), (70, 240, 240),
                                       (240, 50, 230), (210, 245, 60),
                                       (0, 128, 128), (170, 110, 40)]


def write_image(path: str, image: np.ndarray) -> None:
    """Write an RGB image, creating its folder; raise if it fails."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    if not cv2.imwrite(path, np.ascontiguousarray(image[..., ::-1])):
        raise OSError(f'Could not write the image "{path}"')


def object_color(index: int) -> Tuple[int, int, int]:
    """The colour of the ``index``-th object."""
    return PALETTE[index % len(PALETTE)]


def blend(image: np.ndarray, masks: np.ndarray, alpha: float) -> np.ndarray:
    """Tint the pixels of each mask with its object's colour.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB.
        masks (np.ndarray): (N, H, W) bool.
        alpha (float): weight of the colour inside a mask.

    Returns:
        np.ndarray: (H, W, 3) uint8, pixel = (1 - alpha) * pixel +
        alpha * colour inside mask i (later objects drawn over earlier ones).
    """
    out = image.copy()
    # a band of rows at a time: no float copy of a whole (large) image
    step = max(1, (1 << 20) // max(1, image.shape[1]))
    for top in range(0, image.shape[0], step):
        band = out[top:top + step]
        for i, mask in enumerate(masks):
            inside = mask[top:top + step]
            color = np.asarray(object_color(i), np.float64)
            band[inside] = ((1 - alpha) * band[inside] +
                            alpha * color).round().clip(0, 255)
    return out


@VISUALIZERS.register_module()
class UniPixelVisualizer(Visualizer):
    """Visualizer of masks, point / box prompts and answers.

    Masks are blended in object colours (:data:`PALETTE`), prompts are drawn
    in their object's colour, and the answer is written on the first frame.

    Args:
        name (str): instance name.
        alpha (float): opacity of the mask colour. Defaults to 0.5.
        **kwargs: :class:`mmengine.visualization.Visualizer` arguments
            (``vis_backends``, ``save_dir``...).
    """

    def __init__(self,
                 name: str = 'visualizer',
                 alpha: float = 0.5,
                 **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.alpha = alpha

    def draw_frame(self,
                   image: np.ndarray,
                   masks: Optional[np.ndarray] = None,
                   points: Sequence[Tuple[float, float, int]] = (),
                   boxes: Sequence[Tuple[float, float, float, float,
                                         int]] = (),
                   caption: Optional[str] = None) -> np.ndarray:
        """Draw one frame.

        Args:
            image (np.ndarray): (H, W, 3) uint8 RGB.
            masks (np.ndarray, optional): (N, H, W) bool, object i in
                colour i.
            points (Sequence): (x, y, object index) in image pixels.
            boxes (Sequence): (x1, y1, x2, y2, object index).
            caption (str, optional): text written at the top left.

        Returns:
            np.ndarray: (H, W, 3) uint8 RGB drawing.
        """
        if masks is not None and len(masks):
            image = blend(image, np.asarray(masks, bool), self.alpha)
        else:
            image = image.copy()
        # prompts drawn in place with OpenCV: no canvas of the image's size
        # (an 8000 x 8000 frame would cost gigabytes in matplotlib)
        radius = max(2, min(image.shape[:2]) // 60)
        for x, y, obj in points:
            cv2.circle(image, (int(round(x)), int(round(y))), radius,
                       object_color(obj), -1, cv2.LINE_AA)
        for x1, y1, x2, y2, obj in boxes:
            cv2.rectangle(image, (int(round(x1)), int(round(y1))),
                          (int(round(x2)), int(round(y2))), object_color(obj),
                          2, cv2.LINE_AA)
        if not caption:
            return image
        self.set_image(image)
        self.draw_texts(
            caption,
            np.array([4, 4]),
            colors='white',
            font_sizes=max(8,
                           min(image.shape[:2]) // 24),
            vertical_alignments='top',
            bboxes=dict(facecolor='black', alpha=0.6, pad=2, edgecolor='none'))
        return self.get_image()

    def draw_video(self,
                   frames: np.ndarray,
                   masks: Optional[torch.Tensor] = None,
                   points: Sequence[Tuple[float, float, int, int]] = (),
                   boxes: Sequence[Tuple[float, float, float, float, int,
                                         int]] = (),
                   caption: Optional[str] = None) -> List[np.ndarray]:
        """Draw every frame of a clip.

        Args:
            frames (np.ndarray): (T, H, W, 3) uint8 RGB.
            masks (Tensor, optional): (N, T, H, W) bool masklets.
            points (Sequence): (x, y, object, frame) prompts.
            boxes (Sequence): (x1, y1, x2, y2, object, frame) prompts.
            caption (str, optional): written on the first frame.

        Returns:
            list[np.ndarray]: T drawings.
        """
        drawn = []
        for t, frame in enumerate(frames):
            frame_masks = None if masks is None or not len(masks) else \
                np.asarray(masks[:, t], bool)
            drawn.append(
                self.draw_frame(
                    frame,
                    frame_masks,
                    points=[(x, y, o) for x, y, o, f in points if f == t],
                    boxes=[(*b[:4], b[4]) for b in boxes if b[5] == t],
                    caption=caption if t == 0 else None))
        return drawn

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0) -> np.ndarray:
        """Draw predictions (and ground truth) of a sample side by side.

        Args:
            name (str): image name for the backends.
            image (np.ndarray): (T, H, W, 3) or (H, W, 3) uint8 RGB frames.
            data_sample (PixelDataSample): with ``pred_masks`` (list of
                (T, H, W)) and / or ``gt_masks_ori`` (T, O, H, W), and
                optionally ``pred_text``.
            draw_gt (bool): draw ground-truth masks in a second row.
            draw_pred (bool): draw predicted masks.
            show (bool): display the drawing.
            wait_time (float): display time.
            out_file (str, optional): write the drawing there.
            step (int): global step for the backends.

        Returns:
            np.ndarray: the drawing, frames tiled left to right.
        """
        frames = image[None] if image.ndim == 3 else image
        rows = []
        sample = data_sample
        if draw_pred and sample is not None and \
                sample.get('pred_masks', None) is not None:
            masks = torch.stack(list(sample.pred_masks)) if len(
                sample.pred_masks) else None
            rows.append(
                self.draw_video(
                    frames, masks, caption=sample.get('pred_text', None)))
        if draw_gt and sample is not None and \
                sample.get('gt_masks_ori', None) is not None:
            rows.append(
                self.draw_video(frames,
                                sample.gt_masks_ori.permute(1, 0, 2, 3)))
        if not rows:
            rows.append(list(frames))
        drawing = np.concatenate([np.concatenate(r, axis=1) for r in rows])
        if show:
            self.show(drawing, win_name=name, wait_time=wait_time)
        if out_file is not None:
            write_image(out_file, drawing)
        else:
            self.add_image(name, drawing, step)
        return drawing
