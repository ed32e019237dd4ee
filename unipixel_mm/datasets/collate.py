"""The collate function of UniPixel data loaders."""
from typing import List, Sequence

from unipixel_mm.registry import FUNCTIONS


@FUNCTIONS.register_module()
def unipixel_collate(batch: Sequence[dict]) -> dict:
    """Gathers packed samples without merging their inputs.

    Samples differ in sequence length, patch count and frame count, so the
    per-sample ``inputs`` dicts stay a list; the model's data preprocessor
    pads and concatenates them. Use it as
    ``collate_fn=dict(type='unipixel_collate')``.

    Args:
        batch (Sequence[dict]): Outputs of
            :class:`~unipixel_mm.datasets.transforms.PackUniPixelInputs`.

    Returns:
        dict: ``inputs`` (list[dict]) and ``data_samples``
        (list[PixelDataSample]).
    """
    inputs: List[dict] = [sample['inputs'] for sample in batch]
    return dict(
        inputs=inputs,
        data_samples=[sample['data_samples'] for sample in batch])
