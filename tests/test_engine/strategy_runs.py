"""Trains the tiny UniPixel under each strategy on the ranks of a torchrun
job, for ``test_strategies.py``.

Per strategy: 4 iterations with checkpoints at 2 and 4, then a second run
that resumes from the first one's iteration-2 checkpoint and trains 3 and
4. Every rank writes its per-iteration losses of both runs to
``<out>/<strategy>/losses_rank<r>.json``. The model is the tiny one with
LoRA adapters, a frozen rest but for SAM2 and the segmentation head, and
gradient checkpointing, starting from the weights in INIT (the runners
draw random numbers in different orders before they build the model);
batches come from the data-type-grouped sampler. The clips are single
images: DeepSpeed needs the ranks of a step to use the same modules, and
SAM2 runs its memory modules on videos only.

    torchrun --nproc_per_node 2 strategy_runs.py OUT PROCESSOR INIT ddp ...
"""
import gc
import json
import os.path as osp
import sys

from mmengine.config import Config
from mmengine.dist import barrier
from mmengine.hooks import Hook

from unipixel_mm.engine import build_runner, closing_process_group
from unipixel_mm.registry import HOOKS
from unipixel_mm.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: strategy -> its tiny config
CONFIGS = {
    'ddp': 'configs/unipixel_tiny_synthetic.py',
    'zero2': 'configs/strategies/unipixel_tiny_deepspeed_zero2.py',
    'zero3': 'configs/strategies/unipixel_tiny_deepspeed_zero3.py',
    'fsdp': 'configs/strategies/unipixel_tiny_fsdp.py',
}
#: the fine-tuning set-up of the recipe's stage 3, at tiny size
TRAIN_CFG = dict(
    trainable=['llm.seg_head', 'mask_decoder'],
    lora=dict(r=4, alpha=8, dropout=0.0, target='qkvo_all'),
    gradient_checkpointing=True)


@HOOKS.register_module()
class RecordLossHook(Hook):
    """Keeps this rank's loss of every training iteration."""

    def __init__(self) -> None:
        self.losses = {}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self.losses[runner.iter + 1] = float(outputs['loss'])


def tiny_cfg(strategy: str, processor: str, init: str,
             work_dir: str) -> Config:
    """The tiny config of ``strategy`` for a 4-iteration run."""
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[strategy]))
    for transform in cfg.train_dataloader.dataset.pipeline:
        if 'processor' in transform:
            transform['processor'] = processor
    # one-frame clips of one or two shapes: the strategies' equality is
    # the point, not the default's harder data
    cfg.train_dataloader.dataset.update(
        max_frames=1, min_objects=1, max_objects=2)
    cfg.model.update(train_cfg=TRAIN_CFG, partial_checkpoints=[init])
    cfg.train_dataloader.update(
        batch_size=2,
        num_workers=0,
        persistent_workers=False,
        sampler=dict(type='DataTypeGroupSampler', batch_size=2, seed=0))
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=4)
    # the runs' own rate, not the tiny default's: AdamW moves weights of
    # near-zero gradient by up to the rate, where the strategies' reduction
    # orders differ in rounding
    cfg.optim_wrapper.optimizer.lr = 5e-4
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.custom_hooks = [
        dict(type='SaveTrainableParamsHook'),
        dict(type='unipixel_mm.RecordLossHook')
    ]
    cfg.default_hooks.checkpoint.update(interval=2, max_keep_ckpts=2)
    cfg.default_hooks.logger.interval = 1
    cfg.work_dir = work_dir
    cfg.launcher = 'pytorch'
    return cfg


def run(strategy: str, out: str, processor: str, init: str) -> None:
    """The full run and the resumed one of ``strategy``."""
    losses = {}
    for phase in ('train', 'resume'):
        cfg = tiny_cfg(strategy, processor, init,
                       osp.join(out, strategy, phase))
        cfg.experiment_name = f'{strategy}_{phase}'
        if phase == 'resume':
            cfg.resume = True
            cfg.load_from = osp.join(out, strategy, 'train', 'iter_2.pth')
        runner = build_runner(cfg)
        runner.train()
        hook = next(h for h in runner.hooks if isinstance(h, RecordLossHook))
        losses[phase] = hook.losses
        del runner, hook
        gc.collect()
        barrier()
    with open(osp.join(out, strategy, f'losses_rank{rank()}.json'), 'w') as f:
        json.dump(losses, f)


def rank() -> int:
    from mmengine.dist import get_rank
    return get_rank()


if __name__ == '__main__':
    out, processor, init, *strategies = sys.argv[1:]
    register_all_modules(init_default_scope=False)
    with closing_process_group():
        for name in strategies:
            run(name, out, processor, init)
