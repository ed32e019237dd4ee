"""DeepSpeed ZeRO through mmengine's FlexibleRunner, on GPUs or CPUs."""
import copy
import os
from typing import Callable, Optional, Union

import torch
from mmengine._strategy import DeepSpeedStrategy
from torch import nn

from unipixel_mm.registry import OPTIMIZERS, STRATEGIES
from ..distributed import init_cpu_process_group

#: Arguments of the strategy that are sections of the DeepSpeed config.
CONFIG_SECTIONS = ('zero_optimization', 'gradient_clipping', 'fp16', 'bf16',
                   'amp', 'activation_checkpointing', 'aio',
                   'train_micro_batch_size_per_gpu',
                   'gradient_accumulation_steps')

#: How to install the optional engine (the ``distributed`` extra).
INSTALL_HINT = ('pip install "unipixel_mm[distributed]" (DeepSpeed; '
                'DS_BUILD_OPS=0 skips building its CUDA kernels)')


def import_deepspeed():
    """Imports ``deepspeed``, with the CPU accelerator when there is no CUDA.

    Returns:
        module: The ``deepspeed`` package.

    Raises:
        ImportError: Naming the package and the extra to install.
    """
    if not torch.cuda.is_available():
        # read when DeepSpeed picks its accelerator (first use)
        os.environ.setdefault('DS_ACCELERATOR', 'cpu')
    try:
        import deepspeed
    except ImportError as e:
        raise ImportError(
            'The DeepSpeed strategy needs the "deepspeed" package, which is '
            f'not installed ({e}): {INSTALL_HINT}') from e
    return deepspeed


def register_deepspeed_optimizers() -> None:
    """Registers DeepSpeed's Adam variants in ``OPTIMIZERS`` (mmengine's
    own registration imports a module DeepSpeed 0.19 no longer has)."""
    from deepspeed.ops.adam import DeepSpeedCPUAdam, FusedAdam
    from deepspeed.ops.lamb import FusedLamb
    for optimizer in (DeepSpeedCPUAdam, FusedAdam, FusedLamb):
        if optimizer.__name__ not in OPTIMIZERS.module_dict:
            OPTIMIZERS.register_module(module=optimizer)


@STRATEGIES.register_module()
class UniPixelDeepSpeedStrategy(DeepSpeedStrategy):
    """mmengine's :class:`DeepSpeedStrategy`, also on CPUs.

    What it adds:

    - a missing ``deepspeed`` stops the build with the package and extra to
      install (mmengine asserts with a link);
    - without CUDA the ranks talk over gloo: the torchrun process group is
      started here (mmengine's ``init_dist`` selects a CUDA device) and
      DeepSpeed's communication joins it;
    - ``before_save_checkpoint`` hooks see the checkpoint (mmengine skips
      them under DeepSpeed);
    - the stage config's ``optim_wrapper`` (an ``OptimWrapper`` or
      ``AmpOptimWrapper``) is taken over: its gradient clipping, gradient
      accumulation and autocast dtype become DeepSpeed's
      ``gradient_clipping``, ``gradient_accumulation_steps`` and ``bf16`` /
      ``fp16`` sections (where the strategy does not set them), and with
      the optimizer offloaded to the CPU, ``AdamW`` becomes DeepSpeed's
      ``DeepSpeedCPUAdam`` (the same update, vectorised on the CPU). A
      strategy config thus sits on a stage config unchanged.

    Checkpoints are DeepSpeed's folders (``iter_N.pth/``: the module states
    and one optimizer partition per rank, ZeRO's shards);
    ``exclude_frozen_parameters=True`` keeps only the trainable weights in
    them. :func:`~unipixel_mm.engine.load_trainable_state` consolidates one.

    Args:
        config (str | dict, optional): A DeepSpeed config (JSON file or
            dict); the sections given as arguments (:data:`CONFIG_SECTIONS`)
            are set over it.
        inputs_to_half (list, optional): Inputs cast to the half dtype.
        steps_per_print (int): DeepSpeed's log interval (default: never).
        exclude_frozen_parameters (bool, optional): Save the trainable
            weights only.
        **kwargs: DeepSpeed config sections (e.g. ``zero_optimization``,
            ``bf16``) and arguments of mmengine's ``BaseStrategy``.
    """

    def __init__(self,
                 *,
                 config=None,
                 inputs_to_half: Optional[list] = None,
                 steps_per_print: int = 10000000000000,
                 exclude_frozen_parameters: Optional[bool] = None,
                 **kwargs) -> None:
        import_deepspeed()
        sections = {k: kwargs.pop(k) for k in CONFIG_SECTIONS if k in kwargs}
        # mmengine's DeepSpeedStrategy.__init__ registers optimizers from a
        # module DeepSpeed 0.19 lacks: its base class is initialised instead
        super(DeepSpeedStrategy, self).__init__(**kwargs)
        self.config = self._parse_config(copy.deepcopy(config))
        self.config.update(
            (k, v) for k, v in sections.items() if v is not None)
        # what the strategy config sets wins over the optim_wrapper's
        self._set_by_strategy = set(self.config)
        self.config.setdefault('gradient_accumulation_steps', 1)
        self.config['steps_per_print'] = steps_per_print
        self._inputs_to_half = inputs_to_half
        self.exclude_frozen_parameters = exclude_frozen_parameters
        register_deepspeed_optimizers()

    def adapt_optim_wrapper(self, cfg: dict) -> dict:
        """The ``DeepSpeedOptimWrapper`` config for a stage's optimizer
        wrapper config, moving its settings into the DeepSpeed config.

        Args:
            cfg (dict): An ``OptimWrapper``, ``AmpOptimWrapper`` or
                ``DeepSpeedOptimWrapper`` config.

        Returns:
            dict: The ``DeepSpeedOptimWrapper`` config.

        Raises:
            ValueError: For another wrapper type or clipping by value.
        """
        cfg = copy.deepcopy(dict(cfg))
        kind = cfg.pop('type', 'OptimWrapper')
        kind = kind if isinstance(kind, str) else kind.__name__
        if kind.split('.')[-1] == 'DeepSpeedOptimWrapper':
            return dict(cfg, type=kind)
        if kind.split('.')[-1] not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError('The DeepSpeed strategy takes an OptimWrapper, '
                             'AmpOptimWrapper or DeepSpeedOptimWrapper, not '
                             f'{kind!r}')
        settings = {}
        clip = cfg.pop('clip_grad', None)
        if clip:
            if clip.get('type', 'norm') != 'norm':
                raise ValueError('DeepSpeed clips by norm, not '
                                 f"{clip['type']!r}")
            settings['gradient_clipping'] = clip['max_norm']
        settings['gradient_accumulation_steps'] = cfg.pop(
            'accumulative_counts', 1)
        dtype = cfg.pop('dtype', None)
        cfg.pop('loss_scale', None)
        if kind.endswith('AmpOptimWrapper'):
            half = 'bf16' if str(dtype) in ('bfloat16',
                                            'torch.bfloat16') else 'fp16'
            settings[half] = dict(enabled=True)
        for key, value in settings.items():
            if key not in self._set_by_strategy:
                self.config[key] = value
        offload = self.config.get('zero_optimization', {}).get(
            'offload_optimizer', {})
        optimizer = dict(cfg['optimizer'])
        if offload.get('device') == 'cpu' and optimizer['type'] == 'AdamW':
            optimizer.update(type='DeepSpeedCPUAdam', adamw_mode=True)
        return dict(cfg, optimizer=optimizer, type='DeepSpeedOptimWrapper')

    def prepare(self,
                model: Union[nn.Module, dict],
                *,
                optim_wrapper: Union[dict, None] = None,
                **kwargs):
        """:meth:`DeepSpeedStrategy.prepare` after
        :meth:`adapt_optim_wrapper`; the micro batch is the train
        dataloader's (the FlexibleRunner sets it for mmengine's class
        only)."""
        dispatch = kwargs.get('dispatch_kwargs') or {}
        self.config.setdefault(
            'train_micro_batch_size_per_gpu',
            dispatch.get('train_micro_batch_size_per_gpu', 1))
        if isinstance(optim_wrapper, dict):
            optim_wrapper = self.adapt_optim_wrapper(optim_wrapper)
        return super().prepare(model, optim_wrapper=optim_wrapper, **kwargs)

    def _setup_distributed(self,
                           launcher: Optional[str] = None,
                           backend: str = 'nccl',
                           **kwargs) -> None:
        """Starts the process group: mmengine's way with CUDA, else gloo.

        Args:
            launcher (str, optional): The launcher; without CUDA only the
                torchrun environment is read.
            backend (str): The backend with CUDA.
            **kwargs: ``timeout`` (seconds) and, with CUDA, other arguments
                of :func:`deepspeed.init_distributed`.
        """
        if torch.cuda.is_available():
            super()._setup_distributed(launcher, backend, **kwargs)
            return
        init_cpu_process_group(kwargs.get('timeout'))
        import_deepspeed().init_distributed(dist_backend='gloo')

    def save_checkpoint(self,
                        filename: str,
                        *,
                        save_optimizer: bool = True,
                        save_param_scheduler: bool = True,
                        extra_ckpt: Optional[dict] = None,
                        callback: Optional[Callable] = None) -> None:
        """Saves the DeepSpeed checkpoint folder ``filename`` (see
        :meth:`DeepSpeedStrategy.save_checkpoint`), after ``callback``."""
        extra_ckpt = {} if extra_ckpt is None else extra_ckpt
        if callback is not None:
            callback(extra_ckpt)
        super().save_checkpoint(
            filename,
            save_optimizer=save_optimizer,
            save_param_scheduler=save_param_scheduler,
            extra_ckpt=extra_ckpt)
