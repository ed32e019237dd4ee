"""The data sample that travels between the pipeline, the model and metrics."""
from typing import List

import torch
from mmengine.structures import BaseDataElement


class PixelDataSample(BaseDataElement):
    """One UniPixel sample: visual prompts, targets and predictions.

    Axis order, the one convention of the package: targets and prompts are
    frame-major, (T, O, ...), as a pipeline decodes them frame by frame and
    as SAM2's training batches (``gt_obj_to_frame``) take them;
    predictions are object-major, (O, T, ...), one masklet per ``<|seg|>``
    as SAM2 tracks it (also ``InferenceResult.masks``). Metrics pair them
    object by object (``pred_masks[o]`` with ``gt_masks_ori[:, o]``, see
    :func:`~unipixel_mm.evaluation.functional.masks.object_tracks`). Frame
    indices are ``frame_inds`` everywhere: the metainfo's ``frame_inds``
    are the sampled frames' indices among the candidate frames of the
    medium.

    Metainfo (set with ``set_metainfo``):
        - ``frame_size`` (tuple[int, int]): (H, W) the masks are returned at.
        - ``sam2_size`` (int): side of the square SAM2 frames.
        - any dataset fields (``img_path``, ``video_path``, ``sample_idx``...).

    Visual prompts (one entry per ``<|ref|>`` token, in text order):
        - ``prompt_coords`` (list[Tensor]): per object a (P, 2) float tensor of
          (x, y) in pixels of the SAM2 frame.
        - ``prompt_labels`` (list[Tensor]): per object a (P,) long tensor; 1 a
          positive point, 0 a negative point, 2 / 3 the two box corners.
        - ``prompt_frames`` (Tensor): (O,) long, the frame of each prompt.

    Mask prompts (the object memory bank, ``<|mem|>`` tokens):
        - ``prompt_masks`` (Tensor): (grid_t, O, grid_h / 2, grid_w / 2) bool
          on the merged vision-token grid.

    Segmentation targets (one entry per ``<|seg|>`` token, in text order):
        - ``gt_masks`` (Tensor): (T, O, S, S) bool on the SAM2 frames.
        - ``gt_obj_to_frame`` (Tensor): (T, O, 2) int, [frame, video] pairs.

    Predictions:
        - ``pred_masks`` (list[Tensor]): per ``<|seg|>`` a (T, H, W) bool.
        - ``pred_mask_scores`` (Tensor): (N, T) object-presence logits.
        - ``pred_ids`` (Tensor): generated token ids; ``pred_text`` (str).
    """

    @property
    def prompt_coords(self) -> List[torch.Tensor]:
        return self._prompt_coords

    @prompt_coords.setter
    def prompt_coords(self, value: List[torch.Tensor]) -> None:
        self.set_field(value, '_prompt_coords', dtype=list)

    @prompt_coords.deleter
    def prompt_coords(self) -> None:
        del self._prompt_coords

    @property
    def prompt_labels(self) -> List[torch.Tensor]:
        return self._prompt_labels

    @prompt_labels.setter
    def prompt_labels(self, value: List[torch.Tensor]) -> None:
        self.set_field(value, '_prompt_labels', dtype=list)

    @prompt_labels.deleter
    def prompt_labels(self) -> None:
        del self._prompt_labels

    @property
    def prompt_frames(self) -> torch.Tensor:
        return self._prompt_frames

    @prompt_frames.setter
    def prompt_frames(self, value: torch.Tensor) -> None:
        self.set_field(value, '_prompt_frames', dtype=torch.Tensor)

    @prompt_frames.deleter
    def prompt_frames(self) -> None:
        del self._prompt_frames

    @property
    def prompt_masks(self) -> torch.Tensor:
        return self._prompt_masks

    @prompt_masks.setter
    def prompt_masks(self, value: torch.Tensor) -> None:
        self.set_field(value, '_prompt_masks', dtype=torch.Tensor)

    @prompt_masks.deleter
    def prompt_masks(self) -> None:
        del self._prompt_masks

    @property
    def gt_masks(self) -> torch.Tensor:
        return self._gt_masks

    @gt_masks.setter
    def gt_masks(self, value: torch.Tensor) -> None:
        self.set_field(value, '_gt_masks', dtype=torch.Tensor)

    @gt_masks.deleter
    def gt_masks(self) -> None:
        del self._gt_masks

    @property
    def gt_obj_to_frame(self) -> torch.Tensor:
        return self._gt_obj_to_frame

    @gt_obj_to_frame.setter
    def gt_obj_to_frame(self, value: torch.Tensor) -> None:
        self.set_field(value, '_gt_obj_to_frame', dtype=torch.Tensor)

    @gt_obj_to_frame.deleter
    def gt_obj_to_frame(self) -> None:
        del self._gt_obj_to_frame

    @property
    def pred_masks(self) -> List[torch.Tensor]:
        return self._pred_masks

    @pred_masks.setter
    def pred_masks(self, value: List[torch.Tensor]) -> None:
        self.set_field(value, '_pred_masks', dtype=list)

    @pred_masks.deleter
    def pred_masks(self) -> None:
        del self._pred_masks
