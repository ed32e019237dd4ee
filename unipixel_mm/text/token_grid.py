"""Token-grid geometry: where an object lies on the merged vision tokens.

Qwen2.5-VL's vision encoder groups ``temporal_patch_size`` frames, cuts
``patch_size`` pixel patches and merges ``merge_size`` x ``merge_size`` of
them into one LLM token; a mask prompt (``<|mem|>``) is an object's mask on
that grid. The data pipeline (given masks) and the model (its own predicted
masks, the PixelQA follow-up) both compute it here.
"""
from typing import Sequence

import torch
import torch.nn.functional as F


def masks_to_token_grid(masks: torch.Tensor,
                        grid_thw: Sequence[int],
                        patch_size: int = 14,
                        merge_size: int = 2,
                        temporal_patch_size: int = 2) -> torch.Tensor:
    """Object masks as mask prompts on the merged vision-token grid.

    The frames are grouped as the vision encoder groups them
    (``temporal_patch_size`` frames, an incomplete last group padded with
    its last frame) and OR-ed; each group is resized to the patch grid
    (grid_h * patch, grid_w * patch; bilinear, antialiased) and max-pooled
    by ``patch_size * merge_size``: a token holds the object where any of
    its pixels does.

    Args:
        masks (Tensor): (T, O, H, W) bool or float masks.
        grid_thw (Sequence[int]): The video's (grid_t, grid_h, grid_w).
        patch_size (int): Vision patch size. Defaults to 14.
        merge_size (int): Spatial merge size. Defaults to 2.
        temporal_patch_size (int): Frames per temporal patch. Defaults to 2.

    Returns:
        Tensor: (grid_t, O, grid_h / merge, grid_w / merge) bool.
    """
    masks = masks.float()
    pad = -len(masks) % temporal_patch_size
    if pad:
        masks = torch.cat([masks, masks[-1:].expand(pad, -1, -1, -1)])
    # a temporal group holds the object where any of its frames does
    masks = masks.unflatten(0, (-1, temporal_patch_size)).amax(dim=1)
    grid_t, grid_h, grid_w = (int(x) for x in grid_thw)
    if len(masks) != grid_t:
        raise ValueError(f'{len(masks)} temporal groups of masks, the video '
                         f'grid has {grid_t}')
    size = (grid_h * patch_size, grid_w * patch_size)
    masks = F.interpolate(
        masks, size, mode='bilinear', align_corners=False, antialias=True)
    kernel = patch_size * merge_size
    return F.max_pool2d(masks, kernel_size=kernel, stride=kernel) > 0
