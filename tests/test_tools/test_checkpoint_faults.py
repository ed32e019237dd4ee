"""Kills and a full disk during a checkpoint save lose nothing.

Each run resumes the tiny short run from its ``iter_10.pth`` (kept: 1) and
fails during the save of ``iter_20.pth`` at a point chosen by
``tests/test_tools/checkpoint_faults.py``.
"""
import os
import os.path as osp
import shutil

import pytest
import torch

from unipixel_mm.engine.checkpoint import find_resumable_checkpoint

KILLED = 137


def losses_by_step(scalars):
    return {s['step']: s['loss'] for s in scalars if 'loss' in s}


#: Config lines that select a runner: mmengine's Runner (the default) or
#: the FlexibleRunner that the DeepSpeed / FSDP configs use, here with its
#: single-process strategy (the save path goes through the strategy).
RUNNERS = {
    'Runner': '',
    'FlexibleRunner': "runner_type = 'FlexibleRunner'\n"
    "strategy = dict(type='SingleDeviceStrategy')\n",
}


@pytest.fixture(params=list(RUNNERS))
def from_iter_10(request, tiny_run, tmp_path, tiny_cfg_path):
    """A work directory holding the short run's ``iter_10.pth``, and a
    config that imports the faults (each runner in turn)."""
    work_dir = str(tmp_path)
    shutil.copy(osp.join(tiny_run, 'iter_10.pth'), work_dir)
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(work_dir, 'iter_10.pth'))
    cfg = osp.join(work_dir, 'faults.py')
    with open(cfg, 'w') as f:
        f.write(f'_base_ = [{tiny_cfg_path!r}]\n'
                "custom_imports = dict(imports=['checkpoint_faults'])\n" +
                RUNNERS[request.param])
    return work_dir, cfg


def train(run_tool, work_dir, cfg, options, fault='', returncode=0):
    """Resumes the run in ``work_dir`` with ``fault`` injected."""
    return run_tool(
        'train', [cfg, '--work-dir', work_dir, '--resume', '--cfg-options'] +
        options + ['default_hooks.checkpoint.max_keep_ckpts=1'],
        cwd=work_dir,
        env=dict(UNIPIXEL_TEST_FAULT=fault),
        returncode=returncode)


def checkpoints(work_dir):
    return sorted(n for n in os.listdir(work_dir) if n.endswith('.pth'))


def files(work_dir):
    return sorted(
        n for n in os.listdir(work_dir) if osp.isfile(osp.join(work_dir, n)))


def recorded(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return osp.basename(f.read())


def test_kill_mid_write_resumes_with_the_same_losses(from_iter_10, tiny_run,
                                                     run_tool, read_scalars,
                                                     short_run_options):
    work_dir, cfg = from_iter_10
    train(run_tool, work_dir, cfg, short_run_options, 'write@iter_20.pth',
          KILLED)
    # the half-written file has a temporary name; iter_10 is kept
    assert checkpoints(work_dir) == ['iter_10.pth']
    assert recorded(work_dir) == 'iter_10.pth'

    for name in os.listdir(work_dir):  # the killed run's logs
        if osp.isdir(osp.join(work_dir, name)):
            shutil.rmtree(osp.join(work_dir, name))
    train(run_tool, work_dir, cfg, short_run_options)
    full, resumed = losses_by_step(read_scalars(tiny_run)), losses_by_step(
        read_scalars(work_dir))
    assert sorted(resumed) == list(range(11, 21))
    for step, losses in resumed.items():
        assert losses == pytest.approx(full[step], rel=1e-5), step
    # the new save removed the killed one's temporary file and iter_10
    assert files(work_dir) == ['faults.py', 'iter_20.pth', 'last_checkpoint']
    assert recorded(work_dir) == 'iter_20.pth'


@pytest.mark.parametrize('point, kept, newest', [
    ('commit', ['iter_10.pth'], 'iter_10.pth'),
    ('record', ['iter_10.pth', 'iter_20.pth'], 'iter_20.pth'),
    ('evict', ['iter_10.pth', 'iter_20.pth'], 'iter_20.pth'),
])
def test_kill_at_each_step_of_a_save(from_iter_10, tiny_run, run_tool,
                                     short_run_options, point, kept, newest):
    work_dir, cfg = from_iter_10
    train(run_tool, work_dir, cfg, short_run_options, f'{point}@iter_20.pth',
          KILLED)
    assert checkpoints(work_dir) == kept
    assert recorded(work_dir) == ('iter_10.pth'
                                  if point != 'evict' else 'iter_20.pth')
    # --resume takes the newest complete checkpoint
    assert find_resumable_checkpoint(work_dir) == osp.join(work_dir, newest)
    for name in kept:
        ckpt = torch.load(osp.join(work_dir, name), weights_only=False)
        reference = torch.load(osp.join(tiny_run, name), weights_only=False)
        assert ckpt['meta']['iter'] == reference['meta']['iter']
        for key, value in reference['state_dict'].items():
            torch.testing.assert_close(
                ckpt['state_dict'][key], value, rtol=1e-4, atol=1e-6)


def test_full_disk_keeps_the_last_checkpoint(from_iter_10, run_tool,
                                             short_run_options):
    work_dir, cfg = from_iter_10
    out = train(run_tool, work_dir, cfg, short_run_options,
                'enospc@iter_20.pth', 2)
    assert 'No space left on device' in out
    assert checkpoints(work_dir) == ['iter_10.pth']
    assert recorded(work_dir) == 'iter_10.pth'
    # nothing half-written is left behind
    assert files(work_dir) == ['faults.py', 'iter_10.pth', 'last_checkpoint']
