"""Building the runner of a config, as tools/train.py and tools/test.py do."""
from typing import Union

import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import FlexibleRunner, Runner

from .distributed import setup_cpu_distributed


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
    launcher = cfg.get('launcher', 'none')
    if launcher != 'none' and not torch.cuda.is_available():
        setup_cpu_distributed(cfg, launcher)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
