"""The training mixture: sources with repeats, as the reference's
``HybridDataset`` builds it from ``--datasets name:repeat,...``."""
import bisect
import logging
from typing import List, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset, RepeatDataset
from mmengine.logging import print_log
from torch.utils.data import Dataset

from unipixel_mm.registry import DATASETS
from .samplers import sample_data_type, sample_medium


def unwrap(dataset) -> Tuple[object, int]:
    """The data set inside ``RepeatDataset`` wrappers and its repeats."""
    repeat = 1
    while isinstance(dataset, RepeatDataset):
        repeat *= dataset.times
        dataset = dataset.dataset
    return dataset, repeat


def source_name(dataset) -> str:
    """A data set's name in the mixture table: the ``source`` of its first
    sample (e.g. ``'videorefer_mem'``), else its class name."""
    dataset = unwrap(dataset)[0]
    if isinstance(dataset, BaseDataset) and len(dataset):
        # the raw info: no family formatting, no files read
        source = BaseDataset.get_data_info(dataset, 0).get('source')
        if source:
            return str(source)
    return type(dataset).__name__


@DATASETS.register_module()
class MixedPixelDataset(Dataset):
    """Concatenates the sources of a training mixture.

    Each source is a data set (or its config); repeat one with mmengine's
    ``dict(type='RepeatDataset', times=n, dataset=...)``, the reference's
    ``name:n``. Unlike mmengine's ``ConcatDataset`` the sources may have
    different metainfo. A sample whose loading raises is replaced by a
    random sample of the same source, at most ``max_retries`` times, each
    error logged with the sample it names (the reference's ``max_retries``);
    with 0 the error is raised.

    Args:
        datasets (Sequence[dict | BaseDataset]): The sources.
        max_retries (int): Replacements per drawn sample. Defaults to 0.
        lazy_init (bool): Defer loading the annotations to
            :meth:`full_init`. Defaults to False.
    """

    def __init__(self,
                 datasets: Sequence[Union[dict, BaseDataset]],
                 max_retries: int = 0,
                 lazy_init: bool = False) -> None:
        if not datasets:
            raise ValueError('MixedPixelDataset needs at least one source')
        self.datasets = [
            DATASETS.build(d) if isinstance(d, dict) else d for d in datasets
        ]
        self.max_retries = max_retries
        self.cumulative_sizes: List[int] = []
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """The source names (the sources keep their own metainfo)."""
        return dict(sources=tuple(s['source'] for s in self.summary()))

    def full_init(self) -> None:
        """Loads every source and logs the mixture table."""
        if self._fully_initialized:
            return
        for dataset in self.datasets:
            dataset.full_init()
        self.cumulative_sizes = np.cumsum(
            [len(d) for d in self.datasets]).tolist()
        self._fully_initialized = True
        print_log('training mixture:\n' + self.table(), logger='current')

    def __len__(self) -> int:
        self.full_init()
        return self.cumulative_sizes[-1]

    def _locate(self, idx: int) -> Tuple[int, int]:
        self.full_init()
        if not -len(self) <= idx < len(self):
            raise IndexError(f'index {idx} out of range ({len(self)})')
        idx %= len(self)
        source = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[source - 1] if source else 0
        return source, idx - start

    def data_type(self, idx: int) -> str:
        """The kind of sample ``idx`` of the mixture, see
        :func:`~unipixel_mm.datasets.samplers.sample_data_type`."""
        source, local = self._locate(idx)
        return sample_data_type(self.datasets[source], local)

    def medium(self, idx: int) -> str:
        """What sample ``idx`` of the mixture shows, see
        :func:`~unipixel_mm.datasets.samplers.sample_medium`."""
        source, local = self._locate(idx)
        return sample_medium(self.datasets[source], local)

    def get_data_info(self, idx: int) -> dict:
        """The data info of sample ``idx`` of the mixture."""
        source, local = self._locate(idx)
        return self.datasets[source].get_data_info(local)

    def __getitem__(self, idx: int):
        source, local = self._locate(idx)
        dataset = self.datasets[source]
        for retry in range(self.max_retries + 1):
            try:
                return dataset[local]
            except Exception as e:  # any loading failure, as the reference
                if retry == self.max_retries:
                    raise
                print_log(
                    f'mixture sample {idx} ({local} of '
                    f'{source_name(dataset)}): {type(e).__name__}: {e}; '
                    'drawing another sample of the same source',
                    logger='current',
                    level=logging.WARNING)
                local = int(np.random.randint(len(dataset)))

    def summary(self) -> List[dict]:
        """Per source: ``source``, ``repeat``, ``samples`` (with repeats)
        and ``ratio`` of the mixture."""
        self.full_init()
        total = len(self)
        rows = []
        for dataset in self.datasets:
            repeat = unwrap(dataset)[1]
            rows.append(
                dict(
                    source=source_name(dataset),
                    repeat=repeat,
                    samples=len(dataset),
                    ratio=len(dataset) / total if total else 0.0))
        return rows

    def table(self) -> str:
        """The mixture as a text table, like the reference prints it."""
        rows = self.summary()
        width = max([len('Source')] + [len(r['source']) for r in rows])
        lines = [f"{'Source':<{width}}  Repeat  #Samples   Ratio"]
        lines += [
            f"{r['source']:<{width}}  {r['repeat']:>6}  {r['samples']:>8}  "
            f"{r['ratio']:.5f}" for r in rows
        ]
        return '\n'.join(lines)
