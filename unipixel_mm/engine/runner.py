"""Building the runner of a config, as tools/train.py and tools/test.py do."""
from typing import Union

import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import FlexibleRunner, Runner

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


def build_runner(cfg: Config) -> Union[Runner, FlexibleRunner]:
    """Builds the runner that ``cfg`` asks for.

    A config with ``runner_type`` (e.g. ``'FlexibleRunner'`` with a DeepSpeed
    or FSDP ``strategy``) is built by the ``RUNNERS`` registry, any other by
    :meth:`Runner.from_cfg`. A distributed launch (``cfg.launcher`` not
    ``'none'``) on a machine without CUDA first goes through
    :func:`~unipixel_mm.engine.setup_cpu_distributed`.

    Args:
        cfg (Config): The full config, with ``launcher`` set.

    Returns:
        Runner | FlexibleRunner: The runner.
    """
    check_group_sampler(cfg)
    launcher = cfg.get('launcher', 'none')
    if launcher != 'none' and not torch.cuda.is_available():
        setup_cpu_distributed(cfg, launcher)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
