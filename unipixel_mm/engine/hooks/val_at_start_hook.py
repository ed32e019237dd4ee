"""Validation before training, for a baseline of the metrics."""
from mmengine.hooks import Hook
from mmengine.runner import Runner

from unipixel_mm.registry import HOOKS


@HOOKS.register_module()
class ValAtStartHook(Hook):
    """Runs the validation loop once before the first training iteration.

    mmengine's train loops validate after iterations (``val_begin >= 1``),
    so the logs lack the metrics of the initial model that training should
    improve on. A resumed run (``runner.iter > 0``) does not validate again.
    The hook has the lowest priority: the other hooks (logging,
    checkpointing) are set up when it runs.
    """

    priority = 'LOWEST'

    def before_train(self, runner: Runner) -> None:
        """Validates when training starts from iteration 0.

        Args:
            runner (Runner): The runner of the training.
        """
        if runner.iter == 0 and runner.val_loop is not None:
            runner.val_loop.run()
