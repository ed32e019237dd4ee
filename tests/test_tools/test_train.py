"""tools/train.py on the tiny config: training, resuming and 2 processes."""
import os.path as osp
import shutil
import sys
from typing import Dict, List

import pytest
import torch
from ports import free_port


def losses_by_step(scalars: List[dict]) -> Dict[int, dict]:
    return {
        s['step']: {k: v
                    for k, v in s.items() if k.startswith('loss')}
        for s in scalars if 'loss' in s
    }


def iou_by_step(scalars: List[dict]) -> Dict[int, float]:
    return {s['step']: s['mask/mIoU'] for s in scalars if 'mask/mIoU' in s}


def test_short_run_learns(tiny_run, read_scalars):
    scalars = read_scalars(tiny_run)
    losses = losses_by_step(scalars)
    assert sorted(losses) == list(range(1, 21))
    assert set(losses[1]) == {
        'loss', 'loss_lm', 'loss_mask', 'loss_dice', 'loss_iou', 'loss_class'
    }
    # SAM2 is frozen (pretrained): its mask loss falls once the LLM has
    # learned to prompt it, later than 20 iterations; the LLM's loss falls
    # at once
    first = sum(losses[i]['loss_lm'] for i in range(1, 6))
    last = sum(losses[i]['loss_lm'] for i in range(16, 21))
    assert last < 0.75 * first
    # validated before training (ValAtStartHook) and at the end
    iou = iou_by_step(scalars)
    assert sorted(iou) == [0, 20]
    assert iou[20] > iou[0] + 10
    for ckpt in ('iter_10.pth', 'iter_20.pth'):
        assert osp.isfile(osp.join(tiny_run, ckpt))


def test_resume_reproduces_losses(tiny_run, tmp_path, tiny_cfg_path,
                                  short_run_options, run_tool,
                                  read_scalars):
    # a run stopped after iteration 10, resumed from its work directory
    work_dir = str(tmp_path)
    shutil.copy(osp.join(tiny_run, 'iter_10.pth'), work_dir)
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(work_dir, 'iter_10.pth'))
    run_tool(
        'train',
        [tiny_cfg_path, '--work-dir', work_dir, '--resume', '--cfg-options'] +
        short_run_options,
        cwd=work_dir)

    full, resumed = read_scalars(tiny_run), read_scalars(work_dir)
    full_losses, resumed_losses = losses_by_step(full), losses_by_step(resumed)
    assert sorted(resumed_losses) == list(range(11, 21))
    for step, losses in resumed_losses.items():
        assert losses == pytest.approx(full_losses[step], rel=1e-5), step
    # no validation at the start of a resumed run; the same at the end
    assert iou_by_step(resumed) == pytest.approx({20: iou_by_step(full)[20]})


def test_two_cpu_processes_agree(tmp_path, tiny_cfg_path, processor_options,
                                 run_tool):
    # every rank saves its parameters before and after training
    cfg = tmp_path / 'tiny_ranks.py'
    cfg.write_text(f'_base_ = [{tiny_cfg_path!r}]\n'
                   "custom_imports = dict(imports=['rank_params_hook'])\n"
                   "custom_hooks = [dict(type='SaveRankParamsHook')]\n")
    work_dir = str(tmp_path / 'work_dir')
    torchrun = [
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
        '2', '--master_addr', '127.0.0.1', '--master_port',
        str(free_port())
    ]
    output = run_tool(
        'train', [
            str(cfg), '--launcher', 'pytorch', '--work-dir', work_dir,
            # 2 validation clips: 6 samples (one a shape), a batch a rank
            '--cfg-options', 'train_cfg.max_iters=2',
            'val_dataloader.dataset.num_samples=2'
        ] + processor_options,
        cwd=str(tmp_path),
        launcher=torchrun)
    assert 'Distributed training: True' in output

    def params(stage: str, rank: int) -> dict:
        return torch.load(
            osp.join(work_dir, f'params_{stage}_rank{rank}.pth'),
            weights_only=True)

    after = [params('after', rank) for rank in (0, 1)]
    assert after[0].keys() == after[1].keys()
    for name in after[0]:
        assert torch.equal(after[0][name], after[1][name]), name
    before = params('before', 0)
    assert any(not torch.equal(before[k], after[0][k]) for k in before)
    # the validation gathered both ranks' samples
    assert 'Iter(val) [1/1]' in output
