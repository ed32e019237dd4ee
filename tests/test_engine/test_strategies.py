"""DDP, DeepSpeed ZeRO-2 / ZeRO-3 and FSDP train the tiny UniPixel alike.

One torchrun job of 2 CPU processes (gloo) runs ``strategy_runs.py``: each
strategy trains 4 iterations from the same weights and data, and resumes
from its iteration-2 checkpoint. The test process then reads every
strategy's trainable-only checkpoint into a model on one process.
"""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from ports import free_port

from unipixel_mm.datasets import build_tiny_processor
from unipixel_mm.engine import load_trainable_state
from unipixel_mm.registry import MODELS

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
sys.path.insert(0, HERE)
from strategy_runs import TRAIN_CFG  # noqa: E402

STRATEGIES = ('ddp', 'zero2', 'zero3', 'fsdp')
TINY_CFG = osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py')


def build_model(init: str = None):
    """The tiny model of the runs (LoRA, partly frozen), from ``init``."""
    cfg = Config.fromfile(TINY_CFG).model
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg, train_cfg=TRAIN_CFG))
    if init is not None:
        model.load_state_dict(torch.load(init, weights_only=True))
    return model


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """The output folder of the torchrun job and the initial weights."""
    out = tmp_path_factory.mktemp('strategies')
    processor = str(out / 'processor')
    build_tiny_processor(processor)
    init = str(out / 'init.pth')
    torch.save(build_model().state_dict(), init)
    command = [
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
        '2', '--master_addr', '127.0.0.1', '--master_port',
        str(free_port()),
        osp.join(HERE, 'strategy_runs.py'),
        str(out), processor, init, *STRATEGIES
    ]
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([ROOT, os.environ.get('PYTHONPATH', '')]),
        OMP_NUM_THREADS='1')
    proc = subprocess.run(
        command,
        cwd=str(out),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return str(out), init


def losses(out: str, strategy: str, rank: int) -> dict:
    with open(osp.join(out, strategy, f'losses_rank{rank}.json')) as f:
        return json.load(f)


@pytest.mark.parametrize('strategy', STRATEGIES[1:])
@pytest.mark.parametrize('rank', (0, 1))
def test_losses_equal_ddp(runs, strategy, rank):
    out, _ = runs
    ddp = losses(out, 'ddp', rank)['train']
    ours = losses(out, strategy, rank)['train']
    assert list(ours) == ['1', '2', '3', '4']
    assert ours == pytest.approx(ddp, rel=1e-4)
    # the model learns: not four times the same loss
    assert len(set(ours.values())) == 4


@pytest.mark.parametrize('strategy', STRATEGIES)
@pytest.mark.parametrize('rank', (0, 1))
def test_resumed_run_repeats_iterations_3_and_4(runs, strategy, rank):
    out, _ = runs
    run = losses(out, strategy, rank)
    assert list(run['resume']) == ['3', '4']
    assert run['resume'] == pytest.approx(
        {k: run['train'][k]
         for k in ('3', '4')}, rel=1e-5)


def test_checkpoints_are_committed_atomically(runs):
    """Every strategy's checkpoints (files or sharded folders) sit under
    their final names, with no temporary name left."""
    out, _ = runs
    for strategy in STRATEGIES:
        work_dir = osp.join(out, strategy, 'train')
        names = os.listdir(work_dir)
        assert {'iter_2.pth', 'iter_4.pth'} <= set(names), names
        assert not [n for n in names if '.tmp-' in n], names
    assert osp.isdir(osp.join(out, 'zero3', 'train', 'iter_4.pth'))
    assert osp.isfile(
        osp.join(out, 'fsdp', 'train', 'iter_4.pth', '.metadata'))


def predict(model, batch):
    """The predicted masks and their scores (the IoU head's)."""
    model.eval()
    with torch.no_grad():
        sample = model(*batch, mode='predict')[0]
    return torch.stack(sample.pred_masks), sample.pred_mask_scores


def test_trainable_checkpoints_load_into_one_process(runs, batch_factory):
    """The trainable weights of each checkpoint load into a model on one
    process, which predicts the masks of the DDP-trained one."""
    out, init = runs
    model = build_model(init)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    buffers = {n for n, _ in model.named_buffers()}
    batch = batch_factory(model, points=0, segs=2)
    _, before = predict(model, batch)
    masks, scores, weights = {}, {}, {}
    for strategy in STRATEGIES:
        state = load_trainable_state(
            osp.join(out, strategy, 'train', 'iter_4.pth'))
        # DeepSpeed's folders also keep the buffers
        assert trainable <= set(state) <= trainable | buffers, strategy
        model = build_model(init)
        missing, unexpected = model.load_state_dict(state, strict=False)
        assert not unexpected
        assert trainable.isdisjoint(missing)
        masks[strategy], scores[strategy] = predict(model, batch)
        weights[strategy] = {k: state[k].float() for k in trainable}
    for strategy in STRATEGIES[1:]:
        # AdamW magnifies the rounding differences of the reductions in the
        # few weights of near-zero gradient (measured: 3 of 16384 elements
        # of a Hiera MLP off by up to 2.5e-5 after 4 steps at lr 5e-4)
        for name in trainable:
            assert torch.allclose(
                weights[strategy][name],
                weights['ddp'][name],
                rtol=1e-4,
                atol=1e-4), (strategy, name)
        assert torch.equal(masks[strategy], masks['ddp']), strategy
        assert torch.allclose(
            scores[strategy], scores['ddp'], atol=1e-4), strategy
    # training moved the predictions: these are not untrained models
    assert (scores['ddp'] - before).abs().max() > 1e-3


@pytest.mark.parametrize('strategy', ('zero3', 'fsdp'))
def test_sharded_training_exports_to_the_official_format(
        runs, strategy, batch_factory, tmp_path):
    """A ZeRO-3 or FSDP checkpoint, gathered on one process, exported with
    the LoRA adapters merged, predicts as the model it came from."""
    from unipixel_mm.engine import load_trained_weights
    from unipixel_mm.models.checkpoint import (build_from_official,
                                               export_official_checkpoint)
    from unipixel_mm.models.utils.finetune import merge_lora
    out, init = runs
    model = build_model(init)
    load_trained_weights(model,
                         osp.join(out, strategy, 'train', 'iter_4.pth'))
    batch = batch_factory(model, points=0, segs=2)
    masks, scores = predict(model, batch)
    merge_lora(model)
    export_official_checkpoint(model, str(tmp_path / 'official'))
    official = build_from_official(str(tmp_path / 'official'))
    assert not any('lora_' in n for n, _ in official.named_parameters())
    official_masks, official_scores = predict(official, batch)
    assert torch.equal(official_masks, masks)
    assert torch.allclose(official_scores, scores, atol=1e-4)
