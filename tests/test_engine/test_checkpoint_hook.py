"""AtomicCheckpointHook's best checkpoints: the previous best is kept until
the new one is complete."""
import errno
import os
import os.path as osp

import pytest
import torch
from mmengine.evaluator import BaseMetric
from mmengine.fileio import LocalBackend
from mmengine.model import BaseModel
from mmengine.runner import Runner

from unipixel_mm.engine.hooks import AtomicCheckpointHook


class ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=out.pow(2).mean())
        return [dict(score=float(o)) for o in out]


class ScriptedMetric(BaseMetric):
    """Reports the next of ``scores`` at each validation."""

    def __init__(self, scores):
        super().__init__()
        self.scores = list(scores)

    def process(self, data_batch, data_samples):
        self.results.append(0)

    def compute_metrics(self, results):
        return dict(acc=self.scores.pop(0))


def _runner(work_dir, scores, max_iters):
    data = [dict(inputs=torch.ones(2)) for _ in range(4)]
    loader = dict(
        dataset=data,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='default_collate'),
        batch_size=2)
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=loader,
        val_dataloader=loader,
        val_evaluator=[ScriptedMetric(scores)],
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters, val_interval=2),
        val_cfg=dict(),
        default_hooks=dict(
            checkpoint=dict(
                type=AtomicCheckpointHook,
                by_epoch=False,
                interval=2,
                max_keep_ckpts=1,
                save_best='acc',
                rule='greater')),
        default_scope='unipixel_mm')


def test_a_better_score_replaces_the_best_checkpoint(tmp_path):
    runner = _runner(tmp_path, [0.5, 0.7, 0.6], 6)
    runner.train()
    names = sorted(os.listdir(tmp_path))
    assert [n for n in names if n.endswith('.pth')] == [
        'best_acc_iter_4.pth', 'iter_6.pth'
    ]
    assert not [n for n in names if n.startswith('.')]
    hub = torch.load(tmp_path / 'iter_6.pth', weights_only=False)[
        'message_hub']['runtime_info']
    assert hub['best_score'] == 0.7
    assert hub['best_ckpt'] == str(tmp_path / 'best_acc_iter_4.pth')


def test_full_disk_keeps_the_previous_best(tmp_path, monkeypatch):
    put = LocalBackend.put

    def full_disk(self, obj, filepath):
        if 'best_acc_iter_4' in osp.basename(str(filepath)):
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
            raise OSError(errno.ENOSPC, 'No space left on device', filepath)
        put(self, obj, filepath)

    monkeypatch.setattr(LocalBackend, 'put', full_disk)
    runner = _runner(tmp_path, [0.5, 0.7], 4)
    with pytest.raises(OSError, match='No space left'):
        runner.train()
    names = sorted(os.listdir(tmp_path))
    assert 'best_acc_iter_2.pth' in names
    assert not [n for n in names if 'best_acc_iter_4' in n]
    state = torch.load(tmp_path / 'best_acc_iter_2.pth', weights_only=False)
    assert state['meta']['iter'] == 2
    assert set(state['state_dict']) == {'linear.weight', 'linear.bias'}
