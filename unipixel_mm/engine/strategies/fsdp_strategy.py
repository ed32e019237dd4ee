"""PyTorch FSDP through mmengine's FlexibleRunner, on GPUs or CPUs, with
sharded checkpoints of the trainable weights."""
import copy
import os
import os.path as osp
from typing import Callable, Optional, Sequence, Set, Type, Union

import torch
import torch.distributed.checkpoint as dcp
from mmengine._strategy import FSDPStrategy
from mmengine.dist import is_main_process
from mmengine.optim import OptimWrapper
from mmengine.runner import CheckpointLoader
from torch import nn
from torch.distributed.checkpoint.state_dict import (StateDictOptions,
                                                     get_model_state_dict,
                                                     get_state_dict,
                                                     set_model_state_dict,
                                                     set_optimizer_state_dict)
from torch.distributed.fsdp.wrap import ModuleWrapPolicy

from unipixel_mm.models.checkpoint import trainable_names
from unipixel_mm.registry import OPTIM_WRAPPERS, STRATEGIES

#: The file of a sharded checkpoint folder that holds the runner's state
#: (meta, message hub, parameter schedulers); the tensors are in the
#: ``torch.distributed.checkpoint`` files beside it.
RUNNER_STATE = 'runner_state.pth'


def unit_classes(model: nn.Module, names: Sequence[str]) -> Set[Type]:
    """The module classes of ``model`` named in ``names``.

    Raises:
        ValueError: When a name matches no module of the model (a typo
            would silently leave a whole component in one unit).
    """
    found = {type(m) for m in model.modules() if type(m).__name__ in names}
    missing = set(names) - {cls.__name__ for cls in found}
    if missing:
        raise ValueError(f'wrap_units {sorted(missing)} name no module of '
                         f'{type(model).__name__}')
    return found


def saved_part(template: dict, saved: Set[str], prefix: str) -> dict:
    """The entries of a nested state-dict ``template`` that a checkpoint
    holds (a parameter frozen, or without gradient so far, has no optimizer
    state).

    Args:
        template (dict): The state dict to load into.
        saved (set[str]): The checkpoint's flattened keys.
        prefix (str): The key of ``template`` in the checkpoint.
    """
    kept = {}
    for key, value in template.items():
        path = f'{prefix}.{key}'
        if isinstance(value, dict):
            value = saved_part(value, saved, path)
            if value:
                kept[key] = value
        elif path in saved or any(k.startswith(path + '.') for k in saved):
            kept[key] = value
    return kept


@OPTIM_WRAPPERS.register_module()
class FSDPOptimWrapper(OptimWrapper):
    """:class:`OptimWrapper` whose norm clipping spans all ranks' shards.

    Each rank holds a shard of every gradient, so the norm of its own
    gradients is not the model's; ``FullyShardedDataParallel.
    clip_grad_norm_`` reduces the norm over the ranks (every rank calls it,
    even one whose shard has no gradient).

    The strategy sets ``model``, the wrapped root model, once built.
    """

    model: Optional[nn.Module] = None

    def _clip_grad(self) -> None:
        if self.clip_func is not torch.nn.utils.clip_grad_norm_:
            super()._clip_grad()  # by value: elementwise, shards agree
            return
        norm = self.model.clip_grad_norm_(**self.clip_grad_kwargs)
        self.message_hub.update_scalar(f'train/{self.grad_name}', float(norm))


@STRATEGIES.register_module()
class UniPixelFSDPStrategy(FSDPStrategy):
    """mmengine's :class:`FSDPStrategy`, also on CPUs, saving shards.

    What it adds:

    - ``wrap_units``: the class names of the modules that become FSDP units
      (the LLM's decoder layers, the ViT's blocks, SAM2's blocks); each is
      gathered only while it runs;
    - without CUDA the units live on the CPU (mmengine passes the GPU index
      ``LOCAL_RANK`` as ``device_id``);
    - checkpoints are folders of ``torch.distributed.checkpoint`` shards:
      each rank writes its part of the weights and of the optimizer state,
      keyed by the parameter names of the unwrapped model, plus
      :data:`RUNNER_STATE`. With ``exclude_frozen_parameters`` only the
      trainable weights are kept (the frozen ones come from the pretrained
      files). :func:`~unipixel_mm.engine.load_trainable_state` consolidates
      one (``torch.distributed.checkpoint`` can also reshard one for another
      number of ranks; resuming so is untested here);
    - the stage config's ``optim_wrapper`` is taken over: an
      ``AmpOptimWrapper``'s dtype becomes FSDP's mixed precision (compute
      and communication of the parameters in that dtype, gradients reduced
      and the optimizer stepping in float32; where ``model_wrapper`` sets
      none) and the wrapper a :class:`FSDPOptimWrapper`, whose gradient
      clipping spans the ranks. A strategy config thus sits on a stage
      config unchanged.

    Args:
        wrap_units (Sequence[str], optional): Class names of the modules
            wrapped as units; overrides ``model_wrapper.auto_wrap_policy``.
        exclude_frozen_parameters (bool): Save the trainable weights only.
            Defaults to True.
        **kwargs: Arguments of :class:`FSDPStrategy` (``model_wrapper``:
            the :class:`MMFullyShardedDataParallel` options such as
            ``mixed_precision``, ``sharding_strategy``).
    """

    def __init__(self,
                 *,
                 wrap_units: Optional[Sequence[str]] = None,
                 exclude_frozen_parameters: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.wrap_units = list(wrap_units or [])
        self.exclude_frozen_parameters = exclude_frozen_parameters

    def build_model(self, model) -> nn.Module:
        """Builds the model and records its trainable parameter names."""
        model = super().build_model(model)
        self.trainable = trainable_names(model)
        return model

    def _wrap_model(self, model: nn.Module) -> nn.Module:
        """Wraps ``model`` with its units on this rank's device."""
        wrapper = dict(self.model_wrapper or {})
        if not torch.cuda.is_available():
            wrapper.setdefault('device_id', torch.device('cpu'))
        if self.wrap_units:
            wrapper['auto_wrap_policy'] = ModuleWrapPolicy(
                unit_classes(model, self.wrap_units))
        self.model_wrapper = wrapper
        return super()._wrap_model(model)

    def adapt_optim_wrapper(self, cfg: dict) -> dict:
        """The :class:`FSDPOptimWrapper` config for a stage's
        ``OptimWrapper`` or ``AmpOptimWrapper`` config (see above).

        Raises:
            ValueError: For another wrapper type.
        """
        cfg = copy.deepcopy(dict(cfg))
        kind = cfg.pop('type', 'OptimWrapper')
        kind = (kind if isinstance(kind, str) else kind.__name__)
        kind = kind.split('.')[-1]
        if kind not in ('OptimWrapper', 'AmpOptimWrapper', 'FSDPOptimWrapper'):
            raise ValueError('The FSDP strategy takes an OptimWrapper or '
                             f'AmpOptimWrapper, not {kind!r}')
        dtype = cfg.pop('dtype', None)
        cfg.pop('loss_scale', None)
        if kind == 'AmpOptimWrapper':
            self.model_wrapper = dict(self.model_wrapper or {})
            self.model_wrapper.setdefault(
                'mixed_precision',
                dict(
                    param_dtype=str(dtype or 'float16').split('.')[-1],
                    reduce_dtype='float32',
                    buffer_dtype='float32'))
        return dict(cfg, type=FSDPOptimWrapper)

    def prepare(self,
                model: Union[nn.Module, dict],
                *,
                optim_wrapper: Union[dict, None] = None,
                **kwargs):
        """:meth:`FSDPStrategy.prepare` after :meth:`adapt_optim_wrapper`."""
        if isinstance(optim_wrapper, dict):
            optim_wrapper = self.adapt_optim_wrapper(optim_wrapper)
        return super().prepare(model, optim_wrapper=optim_wrapper, **kwargs)

    def build_optim_wrapper(self, optim_wrapper, model=None):
        """Builds the optimizer wrapper; a :class:`FSDPOptimWrapper` gets
        the wrapped model."""
        optim_wrapper = super().build_optim_wrapper(optim_wrapper, model)
        if isinstance(optim_wrapper, FSDPOptimWrapper):
            optim_wrapper.model = model
        return optim_wrapper

    def _optimizer(self) -> Optional[torch.optim.Optimizer]:
        wrapper = getattr(self, 'optim_wrapper', None)
        return None if wrapper is None else wrapper.optimizer

    def save_checkpoint(self,
                        filename: str,
                        *,
                        save_optimizer: bool = True,
                        save_param_scheduler: bool = True,
                        extra_ckpt: Optional[dict] = None,
                        callback: Optional[Callable] = None) -> None:
        """Saves the sharded checkpoint folder ``filename`` from every rank.

        Args:
            filename (str): The folder to create.
            save_optimizer (bool): Save the optimizer state.
            save_param_scheduler (bool): Save the schedulers' states.
            extra_ckpt (dict, optional): The runner's state (meta, message
                hub).
            callback (callable, optional): Called with the checkpoint (the
                ``before_save_checkpoint`` hooks) before it is written.
        """
        checkpoint = dict(extra_ckpt or {})
        checkpoint.setdefault('meta', {}).update(seed=self.seed)
        optimizer = self._optimizer() if save_optimizer else None
        if optimizer is not None:
            weights, checkpoint['optimizer'] = get_state_dict(
                self.model, optimizer)
        else:
            weights = get_model_state_dict(self.model)
        if self.exclude_frozen_parameters:
            keep = set(self.trainable)
            weights = {k: v for k, v in weights.items() if k in keep}
        checkpoint['state_dict'] = weights
        if save_param_scheduler and hasattr(self, 'param_schedulers'):
            checkpoint['param_schedulers'] = self.scheduler_state_dict()
        if callback is not None:
            callback(checkpoint)

        # the tensors go to the shards; the optimizer's param_groups (names
        # and hyper-parameters) to the runner state
        shards = dict(state_dict=checkpoint.pop('state_dict'))
        if 'optimizer' in checkpoint:
            shards['optimizer'] = dict(state=checkpoint['optimizer'].pop(
                'state'))
        os.makedirs(filename, exist_ok=True)
        dcp.save(shards, checkpoint_id=filename)
        if is_main_process():
            torch.save(checkpoint, osp.join(filename, RUNNER_STATE))

    def load_checkpoint(self,
                        filename: str,
                        *,
                        map_location='cpu',
                        strict: bool = False,
                        revise_keys: list = [(r'^module.', '')],
                        callback: Optional[Callable] = None) -> dict:
        """Loads the weights (and reads the optimizer state) of a
        checkpoint: a sharded folder, or a file of full weights.

        Returns:
            dict: The runner's state; under ``'optimizer'`` the optimizer
            state of a folder that has one.
        """
        if not osp.isdir(filename):
            checkpoint = CheckpointLoader.load_checkpoint(
                filename, map_location='cpu')
            set_model_state_dict(
                self.model,
                checkpoint.get('state_dict', checkpoint),
                options=StateDictOptions(
                    full_state_dict=True, strict=strict))
            if callback is not None:
                callback(checkpoint)
            return checkpoint
        self.logger.info(f'Load sharded checkpoint from {filename}')
        checkpoint = torch.load(
            osp.join(filename, RUNNER_STATE),
            map_location='cpu',
            weights_only=False)
        saved = dcp.FileSystemReader(filename).read_metadata()
        saved = set(saved.state_dict_metadata)
        optimizer = self._optimizer()
        shards = {}
        if optimizer is not None and 'optimizer' in checkpoint:
            weights, optim_state = get_state_dict(self.model, optimizer)
            shards['optimizer'] = dict(state=optim_state['state'])
        else:
            weights = get_model_state_dict(self.model)
        shards = {
            key: saved_part(value, saved, key)
            for key, value in dict(shards, state_dict=weights).items()
        }
        if strict and len(shards['state_dict']) < len(weights):
            missing = sorted(set(weights) - set(shards['state_dict']))
            raise KeyError(f'{filename} lacks the weights {missing[:5]}...')
        dcp.load(shards, checkpoint_id=filename)
        set_model_state_dict(
            self.model,
            shards['state_dict'],
            options=StateDictOptions(strict=False))
        if 'optimizer' in shards:
            checkpoint['optimizer'].update(shards['optimizer'])
        if callback is not None:
            callback(checkpoint)
        return checkpoint

    def load_optim_state_dict(self, state_dict: dict) -> None:
        """Loads an optimizer state read by :meth:`load_checkpoint`."""
        # a trainable parameter that never had a gradient has no state
        set_optimizer_state_dict(
            self.model,
            self.optim_wrapper.optimizer,
            state_dict,
            options=StateDictOptions(strict=False))
