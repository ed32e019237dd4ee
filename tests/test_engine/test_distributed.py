"""CPU distributed setup: the process group and the model wrapper."""
import os
import queue
import subprocess
import sys
import time

import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper
from ports import free_port
from tool_module import ROOT

from unipixel_mm.engine import (CPUDistributedDataParallel,
                                closing_process_group, setup_cpu_distributed)
from unipixel_mm.engine.distributed import init_cpu_process_group


@pytest.fixture
def single_rank_env(monkeypatch):
    """The environment torchrun gives a 1-process job."""
    for key, value in dict(
            RANK='0',
            LOCAL_RANK='0',
            WORLD_SIZE='1',
            MASTER_ADDR='127.0.0.1',
            MASTER_PORT=str(free_port())).items():
        monkeypatch.setenv(key, value)
    yield
    if torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def test_closing_process_group_destroys_it(single_rank_env):
    with closing_process_group():
        init_cpu_process_group()
        assert torch_dist.get_world_size() == 1
    assert not torch_dist.is_initialized()
    # after an error too, and the error goes on
    with pytest.raises(KeyError, match='boom'):
        with closing_process_group():
            init_cpu_process_group()
            raise KeyError('boom')
    assert not torch_dist.is_initialized()
    # no group: nothing to do
    with closing_process_group():
        pass


# A fresh process (its own gloo threads), with automatic garbage
# collection off: the wrapper, which holds the group, sits in a reference
# cycle as a Runner's model does, held by the frame of run() (the tools'
# test() / train()) when it raises.
_FREES_GROUP = """
import gc, os, sys, weakref
import torch, torch.distributed as torch_dist
from unipixel_mm.engine import (CPUDistributedDataParallel,
                                closing_process_group)
from unipixel_mm.engine.distributed import init_cpu_process_group


def run(fail):
    init_cpu_process_group()
    group = weakref.ref(torch_dist.group.WORLD)
    model = CPUDistributedDataParallel(torch.nn.Linear(2, 1))
    model(torch.ones(1, 2)).sum().backward()
    runner = dict(model=model)
    runner['self'] = runner
    if fail:
        raise KeyError(group)
    return group


def report(group):
    threads = sorted(open(f'/proc/self/task/{t}/comm').read().strip()
                     for t in os.listdir('/proc/self/task'))
    alive = 'group alive' if group() is not None else 'group freed'
    print(alive, threads, flush=True)


gc.disable()
try:
    with closing_process_group():
        group = run(sys.argv[1] == 'error')
    report(group)
except KeyError as error:
    report(error.args[0])
"""


@pytest.mark.parametrize('end', ['normal', 'error'])
def test_closing_process_group_stops_gloo_threads(end):
    """Gloo's threads still running at interpreter shutdown can abort a
    process that finished its work (SIGABRT after a 2-process test run);
    the group and its threads must be gone when the block ends, also
    while an error from it is being handled."""
    env = dict(os.environ, RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
               MASTER_ADDR='127.0.0.1', MASTER_PORT=str(free_port()),
               OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, '-c', _FREES_GROUP, end],
                          cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = proc.stdout.strip().splitlines()[-1]
    assert line.startswith('group freed'), line
    assert 'gloo' not in line, line


class Linear(BaseModel):

    def __init__(self) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return dict(loss=self.fc(inputs).sum())
        return self.fc(inputs)


@pytest.mark.parametrize('cfg,wrapper', [
    (dict(), dict(broadcast_buffers=False, find_unused_parameters=False)),
    (dict(find_unused_parameters=True),
     dict(broadcast_buffers=False, find_unused_parameters=True)),
    (dict(model_wrapper_cfg=dict(type='MMDistributedDataParallel',
                                 static_graph=True)),
     dict(static_graph=True)),
])
def test_setup_starts_gloo_and_sets_wrapper(single_rank_env, cfg, wrapper):
    cfg = Config(dict(cfg, env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    setup_cpu_distributed(cfg, 'pytorch')
    assert torch_dist.get_backend() == 'gloo'
    assert cfg.model_wrapper_cfg == dict(
        wrapper, type='unipixel_mm.CPUDistributedDataParallel')


@pytest.mark.parametrize('strategy,expected', [
    (None, dict(type='DDPStrategy', model_wrapper=dict(
        broadcast_buffers=False, find_unused_parameters=True))),
    (dict(type='DDPStrategy', model_wrapper=dict(static_graph=True)),
     dict(type='DDPStrategy', model_wrapper=dict(static_graph=True))),
    (dict(type='unipixel_mm.UniPixelFSDPStrategy'),
     dict(type='unipixel_mm.UniPixelFSDPStrategy')),
])
def test_setup_of_the_flexible_runner(single_rank_env, strategy, expected):
    """DDP under the FlexibleRunner gets the CPU wrapper; the strategies of
    unipixel_mm run on the CPU as they are."""
    cfg = Config(dict(runner_type='FlexibleRunner', strategy=strategy,
                      find_unused_parameters=True))
    setup_cpu_distributed(cfg, 'pytorch')
    assert torch_dist.get_backend() == 'gloo'
    if 'model_wrapper' in expected:
        expected['model_wrapper']['type'] = (
            'unipixel_mm.CPUDistributedDataParallel')
    assert cfg.strategy == expected
    # a second runner of the same job joins the same group
    setup_cpu_distributed(cfg, 'pytorch')


def test_wrapper_ignores_device_ids_and_trains(single_rank_env):
    torch_dist.init_process_group('gloo')
    # the Runner passes the GPU index of LOCAL_RANK
    model = CPUDistributedDataParallel(Linear(), device_ids=[0])
    assert model.device_ids is None
    optim_wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=1.0))
    before = model.module.fc.bias.clone()
    losses = model.train_step(
        dict(inputs=torch.ones(1, 2)), optim_wrapper=optim_wrapper)
    assert set(losses) == {'loss'}
    # d(sum(w x + b)) / db = 1, one SGD step of lr 1
    assert torch.allclose(model.module.fc.bias, before - 1)


@pytest.mark.parametrize('cfg,launcher,match', [
    (dict(), 'slurm', '"pytorch" launcher'),
    (dict(runner_type='FlexibleRunner', strategy=dict(type='FSDPStrategy')),
     'pytorch', 'UniPixelFSDPStrategy'),
    (dict(runner_type='FlexibleRunner',
          strategy=dict(type='DeepSpeedStrategy')), 'pytorch',
     'UniPixelDeepSpeedStrategy'),
    (dict(runner_type='CustomRunner'), 'pytorch', 'CustomRunner'),
    (dict(model_wrapper_cfg=dict(type='MMFullyShardedDataParallel')),
     'pytorch', 'MMFullyShardedDataParallel'),
])
def test_unsupported_setups_fail_before_starting(cfg, launcher, match):
    with pytest.raises(ValueError, match=match):
        setup_cpu_distributed(Config(cfg), launcher)
    assert not torch_dist.is_initialized()


def _train_rank(rank: int, port: int, model_cfg: dict, batches: list,
                results) -> None:
    """Train steps of the tiny UniPixel with the recipe's DDP options:
    ``batches[rank]`` twice, or each of them when it is a list; puts (rank,
    parameter sums or the error)."""
    from unipixel_mm.registry import MODELS
    from unipixel_mm.utils import register_all_modules
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    register_all_modules()
    torch_dist.init_process_group('gloo', rank=rank, world_size=2)
    try:
        torch.manual_seed(0)
        model = MODELS.build(model_cfg).train()
        ddp = CPUDistributedDataParallel(
            model, broadcast_buffers=False, find_unused_parameters=True)
        optim_wrapper = OptimWrapper(
            torch.optim.SGD(model.parameters(), lr=0.1))
        steps = batches[rank]
        for batch in steps if isinstance(steps, list) else [steps] * 2:
            ddp.train_step(batch, optim_wrapper=optim_wrapper)
        results.put(
            (rank, [float(p.detach().double().sum())
                    for p in model.parameters()]))
    except Exception as e:  # reported to the test process
        results.put((rank, f'{type(e).__name__}: {e}'))
    finally:
        torch_dist.destroy_process_group()


def _train_two_ranks(model_cfg: dict, batches: list) -> dict:
    """Runs :func:`_train_rank` on two spawned gloo ranks.

    Returns:
        dict: rank -> parameter sums, or the error; a rank that died
        (gloo aborts the process on a collective mismatch) or was stopped
        after its peer died maps to ``'exit code N'``.
    """
    ctx = mp.get_context('spawn')
    results, port = ctx.Queue(), free_port()
    procs = [
        ctx.Process(
            target=_train_rank,
            args=(rank, port, model_cfg, batches, results))
        for rank in range(2)
    ]
    for proc in procs:
        proc.start()
    out, deadline, died_at = {}, time.monotonic() + 240, None
    while len(out) < len(procs) and time.monotonic() < deadline:
        try:
            rank, value = results.get(timeout=1)
            out[rank] = value
            continue
        except queue.Empty:
            pass
        if died_at is None and any(p.exitcode not in (None, 0)
                                   for p in procs):
            died_at = time.monotonic()
        if died_at is not None and time.monotonic() - died_at > 10:
            break  # the peer of a dead rank waits in a collective
    for rank, proc in enumerate(procs):
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        out.setdefault(rank, f'exit code {proc.exitcode}')
    return out


def _text_batch():
    from unipixel_mm.datasets import unipixel_collate
    from unipixel_mm.datasets.transforms import PackUniPixelInputs
    ids = torch.tensor([1, 10, 11, 12, 13, 14, 2])
    return unipixel_collate([
        PackUniPixelInputs()(
            dict(input_ids=ids, labels=ids.masked_fill(ids < 13, -100),
                 task='chat', prompt_type=None, seg_targets=False,
                 sam2_size=128, entry='llava 1'))
    ])


def test_ranks_in_step_need_one_kind_per_step(tiny_cfg, model_factory,
                                              batch_factory):
    """The mask loss synchronises the ranks once per segmentation sample:
    ranks that draw a segmentation and a text-only sample in the same step
    go out of step, which DataTypeGroupSampler (one kind per step on all
    ranks, as the reference's group_by_data_type) prevents."""
    inputs, samples = batch_factory(
        model_factory(), points=0, segs=1, with_targets=True)
    seg, text = dict(inputs=inputs, data_samples=samples), _text_batch()
    grouped = _train_two_ranks(tiny_cfg, [[seg, text], [seg, text]])
    assert all(isinstance(v, list) for v in grouped.values()), grouped
    assert grouped[0] == grouped[1]
    mixed = _train_two_ranks(tiny_cfg, [[seg, text], [text, seg]])
    # gloo aborts a rank on the mismatch, the other loses its peer
    assert any(
        isinstance(v, str) and ('exit code' in v or 'gloo' in v)
        for v in mixed.values()), mixed


def test_text_only_and_video_ranks_train_with_unused_parameters(
        tiny_cfg, model_factory, batch_factory):
    """A text-only batch on one rank (no vision encoder, prompt encoder,
    memory bank or SAM2) and a <|ref|> video batch on the other: the
    recipe's find_unused_parameters=True keeps the ranks in step."""
    from unipixel_mm.datasets import unipixel_collate
    from unipixel_mm.datasets.transforms import PackUniPixelInputs
    ids = torch.tensor([1, 10, 11, 12, 13, 14, 2])
    text = PackUniPixelInputs()(
        dict(input_ids=ids, labels=ids.masked_fill(ids < 13, -100),
             task='chat', prompt_type=None, seg_targets=False,
             sam2_size=128, entry='llava 1'))
    inputs, samples = batch_factory(
        model_factory(), points=1, segs=0, with_targets=True)
    batches = [
        unipixel_collate([text]),
        dict(inputs=inputs, data_samples=samples)
    ]
    out = _train_two_ranks(tiny_cfg, batches)
    assert set(out) == {0, 1}, out
    assert all(isinstance(v, list) for v in out.values()), out
    # the same update on both ranks
    assert out[0] == out[1]
