"""Distributed data-parallel training on CPUs with the gloo backend.

mmengine 0.10.7 assumes one GPU per process: for the ``pytorch`` launcher
its ``init_dist`` calls ``torch.cuda.set_device(LOCAL_RANK)``, and the Runner
wraps the model in a ``DistributedDataParallel`` with
``device_ids=[LOCAL_RANK]``; without CUDA both fail. The Runner skips
``init_dist`` when a process group exists, so :func:`setup_cpu_distributed`
creates a gloo group from the torchrun environment itself and switches the
model wrapper to :class:`CPUDistributedDataParallel`; for the
``FlexibleRunner`` it checks that the strategy runs on CPUs (see
:mod:`unipixel_mm.engine.strategies`).
:func:`~unipixel_mm.engine.build_runner` (used by ``tools/train.py`` and
``tools/test.py``) calls it for a distributed launch without CUDA.
"""
import contextlib
import datetime
import gc
import traceback
from typing import Iterator, List, Optional

import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.model import MMDistributedDataParallel
from torch import nn

from unipixel_mm.registry import MODEL_WRAPPERS

# the Runner looks model wrappers up without the default scope
CPU_WRAPPER = 'unipixel_mm.CPUDistributedDataParallel'
_DDP_WRAPPERS = ('MMDistributedDataParallel', 'CPUDistributedDataParallel',
                 CPU_WRAPPER)
#: The FlexibleRunner strategies of unipixel_mm that run on CPUs too.
CPU_STRATEGIES = ('UniPixelDeepSpeedStrategy', 'UniPixelFSDPStrategy')


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """:class:`MMDistributedDataParallel` of a model on the CPU.

    The Runner passes ``device_ids=[LOCAL_RANK]`` to every subclass of
    ``DistributedDataParallel``; a CPU module must be given none, so the
    argument is not forwarded.

    Args:
        module (nn.Module): The model, on the CPU.
        device_ids (list[int], optional): Ignored (see above).
        **kwargs: ``DistributedDataParallel`` arguments such as
            ``find_unused_parameters``.
    """

    def __init__(self,
                 module: nn.Module,
                 device_ids: Optional[List[int]] = None,
                 **kwargs) -> None:
        super().__init__(module=module, device_ids=None, **kwargs)


def init_cpu_process_group(timeout: Optional[float] = None) -> None:
    """Starts the gloo process group of a torchrun job, once.

    Args:
        timeout (float, optional): Seconds a collective may wait.
    """
    if torch_dist.is_initialized():
        return
    if timeout is not None:
        timeout = datetime.timedelta(seconds=timeout)
    torch_dist.init_process_group(backend='gloo', timeout=timeout)


@contextlib.contextmanager
def closing_process_group() -> Iterator[None]:
    """Destroys the default process group when the block ends.

    A process that exits with a gloo group still alive can abort (SIGABRT,
    "terminate called without an active exception") while the interpreter
    shuts down: gloo's worker threads outlive it. ``tools/train.py`` and
    ``tools/test.py`` do their work in a function called inside this block,
    so that no local of the block's own frame keeps the Runner alive.

    When the block ends normally the ranks first meet at a barrier, so that
    no rank closes its connections while another still finishes the last
    collective; then the finished run's garbage is collected before the
    group is destroyed: a Runner and its hooks refer to each other, so the
    model wrapper (which holds the group) lives until the collector runs,
    and the group and its threads would otherwise survive
    ``destroy_process_group``. After an error the group is destroyed at
    once (the other ranks may never come), after the finished frames of
    the traceback have dropped their locals (the run's objects) and been
    collected; the traceback still prints.
    """
    try:
        yield
    except BaseException as error:
        if torch_dist.is_initialized():
            traceback.clear_frames(error.__traceback__)
            gc.collect()
            torch_dist.destroy_process_group()
        raise
    if torch_dist.is_initialized():
        torch_dist.barrier()
        gc.collect()
        torch_dist.destroy_process_group()


def _strategy_name(strategy: dict) -> str:
    """The registered name of a strategy config, without its scope."""
    kind = strategy.get('type', 'DDPStrategy')
    return (kind if isinstance(kind, str) else kind.__name__).split('.')[-1]


def _check_ddp_wrapper(wrapper: dict) -> None:
    if wrapper.get('type', _DDP_WRAPPERS[0]) not in _DDP_WRAPPERS:
        raise ValueError('Distributed training without CUDA supports the '
                         'MMDistributedDataParallel wrapper, not '
                         f"{wrapper['type']!r}")


def setup_cpu_distributed(cfg: Config, launcher: str) -> None:
    """Starts a gloo process group and sets the CPU model wrapper.

    With mmengine's Runner the model wrapper keeps the options the Runner
    would use without a ``model_wrapper_cfg`` (``broadcast_buffers=False``
    and the config's ``find_unused_parameters``), or those of the config's
    own ``MMDistributedDataParallel`` wrapper. With the ``FlexibleRunner``
    the strategy must run on the CPU: ``DDPStrategy`` (its wrapper becomes
    the CPU one) or one of :data:`CPU_STRATEGIES`.
    ``env_cfg.dist_cfg.timeout`` (in seconds) applies; its ``backend`` does
    not, gloo being the CPU backend.

    Args:
        cfg (Config): The training config; ``model_wrapper_cfg`` or
            ``strategy.model_wrapper`` is set.
        launcher (str): Must be ``'pytorch'`` (torchrun), which sets
            ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``.
    """
    if launcher != 'pytorch':
        raise ValueError('Distributed training without CUDA supports the '
                         f'"pytorch" launcher (torchrun), not "{launcher}"')
    runner_type = cfg.get('runner_type', 'Runner')
    if runner_type == 'FlexibleRunner':
        strategy = cfg.get('strategy') or dict(type='DDPStrategy')
        name = _strategy_name(strategy)
        if name == 'DDPStrategy':
            wrapper = strategy.get('model_wrapper') or dict(
                broadcast_buffers=False,
                find_unused_parameters=cfg.get('find_unused_parameters',
                                               False))
            _check_ddp_wrapper(wrapper)
            cfg.strategy = dict(
                strategy, model_wrapper=dict(wrapper, type=CPU_WRAPPER))
        elif name not in CPU_STRATEGIES:
            raise ValueError(
                'Distributed training without CUDA supports the strategies '
                f"DDPStrategy, {', '.join(CPU_STRATEGIES)}, not {name!r}")
    elif runner_type == 'Runner':
        wrapper = cfg.get('model_wrapper_cfg') or dict(
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
        _check_ddp_wrapper(wrapper)
        cfg.model_wrapper_cfg = dict(wrapper, type=CPU_WRAPPER)
    else:
        raise ValueError('Distributed training without CUDA supports the '
                         f'Runner and the FlexibleRunner, not {runner_type!r}')
    init_cpu_process_group(
        cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout'))
