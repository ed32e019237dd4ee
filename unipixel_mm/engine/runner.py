"""Building the runner of a config, as tools/train.py and tools/test.py do."""
from typing import Union

import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import FlexibleRunner, Runner

from .checkpoint import find_resumable_checkpoint, is_readable_checkpoint
from .distributed import setup_cpu_distributed


def check_group_sampler(cfg: Config) -> None:
    """A ``DataTypeGroupSampler`` must batch as its dataloader does.

    Raises:
        ValueError: When the sampler's ``batch_size`` differs from the
            dataloader's.
    """
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name) or {}
        sampler = loader.get('sampler') or {}
        kind = str(sampler.get('type', ''))
        if kind.split('.')[-1] != 'DataTypeGroupSampler':
            continue
        if sampler.get('batch_size') != loader.get('batch_size', 1):
            raise ValueError(
                f'{name}: DataTypeGroupSampler(batch_size='
                f"{sampler.get('batch_size')}) must equal the dataloader's "
                f"batch_size={loader.get('batch_size', 1)}")


def resolve_resume(cfg: Config) -> None:
    """Sets the checkpoint that ``cfg.resume`` continues from.

    Without ``load_from`` this is the newest readable checkpoint of the work
    directory (:func:`find_resumable_checkpoint`), which skips one left
    incomplete by a kill; a run with none starts afresh, as in mmengine.

    Raises:
        ValueError: When ``load_from`` names a missing or incomplete
            checkpoint to resume from.
    """
    if not cfg.get('resume', False):
        return
    if cfg.get('load_from') is None:
        cfg.load_from = find_resumable_checkpoint(cfg.work_dir)
    elif '://' not in cfg.load_from and not is_readable_checkpoint(
            cfg.load_from):
        raise ValueError(f'cannot resume from "{cfg.load_from}": the '
                         'checkpoint is missing or incomplete')


def build_runner(cfg: Config) -> Union[Runner, FlexibleRunner]:
    """Builds the runner that ``cfg`` asks for.

    A config with ``runner_type`` (e.g. ``'FlexibleRunner'`` with a DeepSpeed
    or FSDP ``strategy`` of :mod:`unipixel_mm.engine.strategies`) is built
    by the ``RUNNERS`` registry, any other by :meth:`Runner.from_cfg`. A
    distributed launch (``cfg.launcher`` not ``'none'``) on a machine
    without CUDA first goes through
    :func:`~unipixel_mm.engine.setup_cpu_distributed`. A run that resumes
    takes the newest readable checkpoint (:func:`resolve_resume`).

    Args:
        cfg (Config): The full config, with ``launcher`` set.

    Returns:
        Runner | FlexibleRunner: The runner.
    """
    check_group_sampler(cfg)
    resolve_resume(cfg)
    launcher = cfg.get('launcher', 'none')
    if launcher != 'none' and not torch.cuda.is_available():
        setup_cpu_distributed(cfg, launcher)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
