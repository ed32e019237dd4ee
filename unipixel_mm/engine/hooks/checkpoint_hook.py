"""Checkpoints that are never lost to a kill or a full disk."""
import os.path as osp
from typing import Optional

from mmengine.dist import barrier, is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner

from unipixel_mm import fileio
from unipixel_mm.registry import HOOKS


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """:class:`~mmengine.hooks.CheckpointHook` with atomic saves.

    mmengine removes the oldest kept checkpoint before it writes the new
    one and writes the file in place, so a kill during a save can leave no
    checkpoint, or a partial one that ``last_checkpoint`` points to. This
    hook saves in an order that always leaves a complete checkpoint:

    1. the runner (any runner or strategy, a file or a DeepSpeed folder)
       writes the checkpoint under a temporary name beside the final one;
    2. it is flushed to the disk and renamed to its final name;
    3. ``last_checkpoint`` is replaced atomically to name it;
    4. only then is the oldest kept checkpoint removed.

    The best checkpoints (``save_best``) are saved the same way: the
    previous best is removed once the new one is in place.

    A failed write (e.g. a full disk) removes the temporary file and
    raises; the kept checkpoints are untouched. Remote ``out_dir`` backends
    are saved as mmengine does. The arguments are those of
    :class:`~mmengine.hooks.CheckpointHook`.
    """

    def _save_checkpoint_with_step(self, runner: Runner, step: int,
                                   meta: dict) -> None:
        """Saves the checkpoint of ``step`` and rotates the kept ones.

        Args:
            runner (Runner): The runner.
            step (int): The epoch or iteration of the checkpoint.
            meta (dict): Its meta information.
        """
        if not isinstance(self.file_backend, LocalBackend):
            super()._save_checkpoint_with_step(runner, step, meta)
            return
        evicted = self._keep(runner, step)
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        self._save_atomic(
            runner,
            filename,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            **self.args)
        if not is_main_process():
            return
        fileio.write_text_atomic(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        if evicted is not None:
            fileio.remove_path(
                osp.join(self.out_dir, self.filename_tmpl.format(evicted)))

    def _save_atomic(self, runner: Runner, filename: str, **kwargs) -> None:
        """Has the runner write ``filename`` in ``out_dir`` under a
        temporary name, then renames it in place (steps 1 and 2).

        Args:
            runner (Runner): The runner.
            filename (str): The checkpoint's final name.
            **kwargs: Options of ``runner.save_checkpoint``.
        """
        # one name on every rank: a strategy may write from each of them
        tmp_name = f'.{filename}{fileio.TMP_MARK}save'
        tmp = osp.join(self.out_dir, tmp_name)
        if is_main_process():
            fileio.remove_path(tmp)  # left by a killed save
        barrier()
        try:
            runner.save_checkpoint(self.out_dir, tmp_name, **kwargs)
            barrier()
        except BaseException:
            if is_main_process():
                fileio.remove_path(tmp)
            raise
        if is_main_process():
            fileio.commit(tmp, osp.join(self.out_dir, filename))

    def _save_best_checkpoint(self, runner: Runner, metrics: dict) -> None:
        """Saves a checkpoint for each key indicator that improved.

        The new best checkpoint is written atomically and the previous one
        removed only afterwards (mmengine removes it first), so a kill or a
        full disk never leaves the run without its best checkpoint.

        Args:
            runner (Runner): The runner.
            metrics (dict): The validation metrics.
        """
        if not self.save_best or not isinstance(self.file_backend,
                                                LocalBackend):
            super()._save_best_checkpoint(runner, metrics)
            return
        if 'auto' in self.key_indicators:
            self._init_rule(self.rules, [next(iter(metrics))])
        step = runner.epoch if self.by_epoch else runner.iter
        meta = dict(epoch=runner.epoch, iter=runner.iter)
        single = len(self.key_indicators) == 1
        improved = False
        for key, rule in zip(self.key_indicators, self.rules):
            suffix = '' if single else f'_{key}'
            best = runner.message_hub.get_info(f'best_score{suffix}',
                                               self.init_value_map[rule])
            score = metrics[key]
            if score is None or not self.is_better_than[key](score, best):
                continue
            improved = True
            runner.message_hub.update_info(f'best_score{suffix}', score)
            previous = (self.best_ckpt_path
                        if single else self.best_ckpt_path_dict[key])
            name = f'best_{key}_{self.filename_tmpl.format(step)}'.replace(
                '/', '_')
            self._save_atomic(
                runner,
                name,
                save_optimizer=False,
                save_param_scheduler=False,
                meta=meta,
                by_epoch=False,
                backend_args=self.backend_args)
            path = osp.join(self.out_dir, name)
            if single:
                self.best_ckpt_path = path
            else:
                self.best_ckpt_path_dict[key] = path
            runner.message_hub.update_info(f'best_ckpt{suffix}', path)
            if previous and previous != path and is_main_process():
                fileio.remove_path(previous)
            runner.logger.info(f'The best checkpoint with {score:0.4f} {key} '
                               f'at {step} is saved to {name}.')
        # the kept checkpoint's message hub must name the new best one
        if improved and self.last_ckpt is not None:
            self._save_checkpoint_with_step(runner, step, meta)

    def _keep(self, runner: Runner, step: int) -> Optional[int]:
        """Records ``step`` among the kept checkpoints.

        Args:
            runner (Runner): The runner, whose message hub keeps the list
                for resuming.
            step (int): The step being saved.

        Returns:
            int, optional: The step whose checkpoint to remove once the new
            one is saved.
        """
        if self.max_keep_ckpts <= 0 or (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
            return None
        evicted = None
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            evicted = self.keep_ckpt_ids.popleft()
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
        return evicted
