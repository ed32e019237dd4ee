"""Checkpoints that hold the trainable parameters only."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from unipixel_mm.models.checkpoint import filter_state_dict, trainable_names
from unipixel_mm.registry import HOOKS


@HOOKS.register_module()
class SaveTrainableParamsHook(Hook):
    """Drops the frozen parameters and the buffers from saved checkpoints.

    A stage of the recipe trains a small part of the model (a few million
    of its billions of parameters); its checkpoint keeps those (with the
    optimizer and scheduler states, so ``--resume`` continues the run) and
    is loaded over the pretrained parts: by ``resume``, by ``load_from``
    (non-strict) or as a ``partial_checkpoints`` entry of a later stage.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner: Runner, checkpoint: dict) -> None:
        """Keeps the trainable entries of ``checkpoint['state_dict']``.

        Args:
            runner (Runner): the runner.
            checkpoint (dict): the checkpoint about to be saved.
        """
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        checkpoint['state_dict'] = filter_state_dict(
            checkpoint['state_dict'], trainable_names(model))
