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

        # one name on every rank: a strategy may write from each of them
        tmp_name = f'.{filename}{fileio.TMP_MARK}save'
        tmp = osp.join(self.out_dir, tmp_name)
        if is_main_process():
            fileio.remove_path(tmp)  # left by a killed save
        barrier()
        try:
            runner.save_checkpoint(
                self.out_dir,
                tmp_name,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler,
                meta=meta,
                by_epoch=self.by_epoch,
                **self.args)
            barrier()
        except BaseException:
            if is_main_process():
                fileio.remove_path(tmp)
            raise
        if not is_main_process():
            return
        fileio.commit(tmp, self.last_ckpt)
        fileio.write_text_atomic(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        if evicted is not None:
            fileio.remove_path(
                osp.join(self.out_dir, self.filename_tmpl.format(evicted)))

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
