"""CPU distributed setup: the process group and the model wrapper."""
import socket

import pytest
import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper

from unipixel_mm.engine import (CPUDistributedDataParallel,
                                setup_cpu_distributed)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


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
    (dict(runner_type='FlexibleRunner'), 'pytorch', 'runner_type'),
    (dict(model_wrapper_cfg=dict(type='MMFullyShardedDataParallel')),
     'pytorch', 'MMFullyShardedDataParallel'),
])
def test_unsupported_setups_fail_before_starting(cfg, launcher, match):
    with pytest.raises(ValueError, match=match):
        setup_cpu_distributed(Config(cfg), launcher)
    assert not torch_dist.is_initialized()
