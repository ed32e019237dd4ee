"""Convert keyword arguments of the reference model's forward into a batch."""
from typing import List, Tuple

import torch

from unipixel_mm.structures import PixelDataSample

_INPUT_KEYS = ('input_ids', 'attention_mask', 'labels', 'pixel_values',
               'image_grid_thw', 'pixel_values_videos', 'video_grid_thw',
               'second_per_grid_ts')


def batch_from_reference_kwargs(
        kwargs: dict) -> Tuple[dict, List[PixelDataSample]]:
    """Turn the reference's ``forward`` kwargs into ``(inputs, data_samples)``.

    The reference passes per-sample prompts as nested lists: ``point_coords``
    (per sample, per object a (1, P, 2) tensor), ``point_labels`` (per object
    (1, P)), ``point_frames`` (per sample a list holding one (O,) tensor),
    ``refer_mask`` (per sample (G, O, h, w)), ``label_mask`` (per sample
    (T, O, S, S)), ``label_obj_to_frame_idx`` (per sample (T, O, 2)),
    ``frames`` and ``frame_size`` (per sample).

    Returns:
        tuple[dict, list[PixelDataSample]]: the batch ``UniPixel`` takes.
    """
    inputs = {k: kwargs[k] for k in _INPUT_KEYS if kwargs.get(k) is not None}
    batch_size = inputs['input_ids'].size(0)
    if kwargs.get('frames') is not None:
        inputs['frames'] = list(kwargs['frames'])
    samples = []
    for b in range(batch_size):
        sample = PixelDataSample()
        if kwargs.get('frame_size') is not None:
            sample.set_metainfo(
                dict(
                    frame_size=tuple(int(x) for x in kwargs['frame_size'][b])))
        if kwargs.get('point_coords') is not None:
            sample.prompt_coords = [c[0] for c in kwargs['point_coords'][b]]
            sample.prompt_labels = [lb[0] for lb in kwargs['point_labels'][b]]
            sample.prompt_frames = torch.cat(
                [f.view(-1) for f in kwargs['point_frames'][b]])
        if kwargs.get('refer_mask') is not None:
            sample.prompt_masks = kwargs['refer_mask'][b]
        if kwargs.get('label_mask') is not None:
            sample.gt_masks = kwargs['label_mask'][b]
            sample.gt_obj_to_frame = kwargs['label_obj_to_frame_idx'][b]
        samples.append(sample)
    return inputs, samples
