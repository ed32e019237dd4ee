"""A hook for the distributed training test, imported by its config."""
import os.path as osp

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from unipixel_mm.registry import HOOKS


@HOOKS.register_module()
class SaveRankParamsHook(Hook):
    """Saves every rank's parameters before and after training."""

    def _save(self, runner, stage: str) -> None:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        params = {k: v.detach().clone() for k, v in model.named_parameters()}
        torch.save(
            params, osp.join(runner.work_dir,
                             f'params_{stage}_rank{runner.rank}.pth'))

    def before_train(self, runner) -> None:
        self._save(runner, 'before')

    def after_train(self, runner) -> None:
        self._save(runner, 'after')
