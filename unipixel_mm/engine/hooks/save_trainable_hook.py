"""Checkpoints that hold the trainable parameters only."""
import re

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from unipixel_mm.models.checkpoint import filter_state_dict, trainable_names
from unipixel_mm.registry import HOOKS

#: The wrappers FSDP and activation checkpointing put into parameter names.
_WRAPPED = re.compile(r'(_fsdp_wrapped_module|_checkpoint_wrapped_module)\.')


@HOOKS.register_module()
class SaveTrainableParamsHook(Hook):
    """Drops the frozen parameters and the buffers from saved checkpoints.

    A stage of the recipe trains a small part of the model (a few million
    of its billions of parameters); its checkpoint keeps those (with the
    optimizer and scheduler states, so ``--resume`` continues the run) and
    is loaded over the pretrained parts: by ``resume``, by ``load_from``
    (non-strict) or as a ``partial_checkpoints`` entry of a later stage.

    The DeepSpeed and FSDP strategies select the trainable weights
    themselves (``exclude_frozen_parameters``); a checkpoint without a
    ``state_dict`` (DeepSpeed writes the weights itself) is left alone.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner: Runner, checkpoint: dict) -> None:
        """Keeps the trainable entries of ``checkpoint['state_dict']``.

        Args:
            runner (Runner): the runner.
            checkpoint (dict): the checkpoint about to be saved.
        """
        if 'state_dict' not in checkpoint:
            return
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        names = [_WRAPPED.sub('', n) for n in trainable_names(model)]
        checkpoint['state_dict'] = filter_state_dict(checkpoint['state_dict'],
                                                     names)
