"""Collate packed UniPixel samples into the batch ``UniPixel`` takes."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseDataPreprocessor

from unipixel_mm.registry import MODELS
from unipixel_mm.text import IGNORE_INDEX


def pad_sequences(seqs: Sequence[torch.Tensor], value: int,
                  side: str) -> torch.Tensor:
    """Pad 1-D tensors to a (B, L_max) tensor on the ``left`` or ``right``."""
    length = max(s.numel() for s in seqs)
    out = seqs[0].new_full((len(seqs), length), value)
    for row, seq in zip(out, seqs):
        if side == 'left':
            row[length - seq.numel():] = seq
        else:
            row[:seq.numel()] = seq
    return out


@MODELS.register_module()
class UniPixelDataPreprocessor(BaseDataPreprocessor):
    """Pad token ids, concatenate visual patches and move all to the device.

    Each packed sample's ``inputs`` is a dict with ``input_ids`` (L,),
    optional ``labels`` (L,), and for its visual input either
    ``pixel_values_videos`` (P, D_patch) with ``video_grid_thw`` (3,) and
    ``second_per_grid_ts``, or ``pixel_values`` with ``image_grid_thw``, plus
    ``frames`` (T, 3, S, S) for SAM2; a text-only sample has neither. The
    visual inputs are concatenated over the samples that have them, and
    ``frames`` lists every sample's (None for a sample without).

    Args:
        pad_token_id (int): id used to pad ``input_ids``.
        padding_side (str, optional): ``'left'`` or ``'right'``; by default
            right when training (loss) and left otherwise (generation).
    """

    def __init__(self,
                 pad_token_id: int = 0,
                 padding_side: Optional[str] = None) -> None:
        super().__init__()
        if padding_side not in (None, 'left', 'right'):
            raise ValueError(f'padding_side must be "left", "right" or None, '
                             f'got "{padding_side}"')
        self.pad_token_id = pad_token_id
        self.padding_side = padding_side

    def collate(self, samples: Sequence[dict], training: bool) -> dict:
        """Batch the ``inputs`` dicts of several samples (on the CPU)."""
        side = self.padding_side or ('right' if training else 'left')
        ids = [torch.as_tensor(s['input_ids']).long() for s in samples]
        batch: Dict[str, Union[torch.Tensor, List[torch.Tensor]]] = dict(
            input_ids=pad_sequences(ids, self.pad_token_id, side),
            attention_mask=pad_sequences([torch.ones_like(i) for i in ids], 0,
                                         side))
        if any('labels' in s for s in samples):
            labels = [
                torch.as_tensor(s['labels']).long()
                if 'labels' in s else torch.full_like(i, IGNORE_INDEX)
                for s, i in zip(samples, ids)
            ]
            batch['labels'] = pad_sequences(labels, IGNORE_INDEX, side)
        for kind in ('videos', 'images'):
            pixels = 'pixel_values' + ('_videos' if kind == 'videos' else '')
            grid = ('video' if kind == 'videos' else 'image') + '_grid_thw'
            items = [s for s in samples if pixels in s]
            if not items:
                continue
            batch[pixels] = torch.cat(
                [torch.as_tensor(s[pixels]) for s in items])
            batch[grid] = torch.stack(
                [torch.as_tensor(s[grid]).long().view(3) for s in items])
            if kind == 'videos':
                batch['second_per_grid_ts'] = torch.tensor(
                    [float(s.get('second_per_grid_ts', 1.0)) for s in items])
        if any('frames' in s for s in samples):
            batch['frames'] = [s.get('frames') for s in samples]
        return batch

    def forward(self, data: dict, training: bool = False) -> dict:
        """Collate if needed, then move to the model's device.

        Args:
            data (dict): ``inputs`` (a list of per-sample dicts, or an already
                batched dict) and ``data_samples``.
            training (bool): whether the model is training.

        Returns:
            dict: ``inputs`` (the batched dict) and ``data_samples``.
        """
        inputs = data['inputs']
        if not isinstance(inputs, dict):
            inputs = self.collate(inputs, training)
        return dict(
            inputs=self.cast_data(inputs),
            data_samples=self.cast_data(data.get('data_samples')))
