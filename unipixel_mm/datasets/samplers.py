"""Samplers that keep the ranks of a distributed step on one kind of sample.

Sample kinds use different parts of UniPixel: a text-only conversation
needs no vision encoder, a segmentation sample runs SAM2 and its loss (which
synchronises the ranks once per sample), a region sample the memory bank.
When the ranks of one step draw different kinds, DeepSpeed ZeRO, FSDP and
the mask loss's collective go out of step. The reference therefore draws
every step's samples, on all ranks, from one data type
(``group_by_data_type``); :class:`DataTypeGroupSampler` does the same.
DeepSpeed ZeRO and FSDP also need the ranks of a step to run the same
modules (SAM2's memory modules run on videos only): ``by_medium`` keeps the
images and the videos of a data type apart too.
"""
from typing import Dict, Iterator, List, Optional, Sized, Tuple

import torch
from mmengine.dataset import ConcatDataset, RepeatDataset
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from unipixel_mm.registry import DATA_SAMPLERS


def _unwrap(dataset, idx: int) -> Tuple[object, int]:
    """The data set and index behind sample ``idx`` of mmengine's
    ``RepeatDataset`` / ``ConcatDataset`` wrappers."""
    if isinstance(dataset, RepeatDataset):
        return _unwrap(dataset.dataset, idx % len(dataset.dataset))
    if isinstance(dataset, ConcatDataset):
        which, local = dataset._get_ori_dataset_idx(idx)
        return _unwrap(dataset.datasets[which], local)
    return dataset, idx


def _ask(dataset, idx: int, method: str) -> str:
    dataset, idx = _unwrap(dataset, idx)
    if not hasattr(dataset, method):
        raise TypeError(
            f'{type(dataset).__name__} has no {method}(idx) method, which '
            'DataTypeGroupSampler groups the samples by (BasePixelDataset '
            'and MixedPixelDataset have one)')
    return getattr(dataset, method)(idx)


def sample_data_type(dataset, idx: int) -> str:
    """The kind of sample ``idx`` of a data set (through mmengine's
    ``RepeatDataset`` / ``ConcatDataset`` wrappers).

    Args:
        dataset: A data set with a ``data_type(idx)`` method, or a wrapper
            of one.
        idx (int): Sample index.

    Returns:
        str: E.g. ``'seg'``, ``'region'`` or ``'text'``.
    """
    return _ask(dataset, idx, 'data_type')


def sample_medium(dataset, idx: int) -> str:
    """What sample ``idx`` of a data set shows: ``'image'``, ``'video'`` or
    ``'text'`` (through the wrappers, from a ``medium(idx)`` method)."""
    return _ask(dataset, idx, 'medium')


@DATA_SAMPLERS.register_module()
class DataTypeGroupSampler(Sampler):
    """Shuffled samples, every step's batch of every rank of one data type.

    Each epoch, the samples of each data type (:func:`sample_data_type`) are
    shuffled and cut into chunks of ``batch_size * world_size`` (the last,
    incomplete chunk of a type is dropped, as the reference's
    ``GroupSampler`` does); the chunks are shuffled and rank ``r`` draws the
    ``r``-th ``batch_size`` samples of each. The order depends on ``seed``
    and the epoch only, so all ranks agree.

    Args:
        dataset (Sized): The data set (see :func:`sample_data_type`).
        batch_size (int): Samples per rank and step: the dataloader's
            ``batch_size`` (the runner checks that they agree).
        shuffle (bool): Shuffle within types and the chunks. Defaults to
            True.
        seed (int, optional): Seed of the shuffles; synchronised across the
            ranks when None.
        by_medium (bool): Group by data type and medium (image, video or
            text, :func:`sample_medium`), so that all ranks of a step also
            run the same modules, as DeepSpeed ZeRO and FSDP need. Defaults
            to False (by data type only, as the reference).
    """

    def __init__(self,
                 dataset: Sized,
                 batch_size: int,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 by_medium: bool = False) -> None:
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        self.rank, self.world_size = get_dist_info()
        self.batch_size = batch_size
        self.group_size = batch_size * self.world_size
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        # per type (in order of first appearance) its sample indices
        groups: Dict[str, List[int]] = {}
        for idx in range(len(dataset)):
            key = sample_data_type(dataset, idx)
            if by_medium:
                key = f'{key}/{sample_medium(dataset, idx)}'
            groups.setdefault(key, []).append(idx)
        self.data_types = list(groups)
        self.groups = list(groups.values())
        self.num_chunks = sum(len(g) // self.group_size for g in self.groups)
        if self.num_chunks == 0:
            raise ValueError(
                f'No data type has {self.group_size} samples (batch_size '
                f'{batch_size} x {self.world_size} ranks): '
                f'{ {k: len(v) for k, v in groups.items()} }')

    def _chunks(self) -> List[List[int]]:
        gen = torch.Generator()
        gen.manual_seed(self.seed + self.epoch)
        chunks = []
        for group in self.groups:
            if self.shuffle:
                group = [group[i] for i in torch.randperm(len(group),
                                                          generator=gen)]
            stop = len(group) - self.group_size + 1
            chunks += [
                group[i:i + self.group_size]
                for i in range(0, stop, self.group_size)
            ]
        if self.shuffle:
            chunks = [chunks[i] for i in torch.randperm(len(chunks),
                                                        generator=gen)]
        return chunks

    def __iter__(self) -> Iterator[int]:
        start = self.rank * self.batch_size
        return iter([
            idx for chunk in self._chunks()
            for idx in chunk[start:start + self.batch_size]
        ])

    def __len__(self) -> int:
        return self.num_chunks * self.batch_size

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch, which reseeds the shuffles."""
        self.epoch = epoch
