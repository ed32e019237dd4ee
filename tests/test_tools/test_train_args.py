"""The command line of tools/train.py and tools/test.py."""
import argparse

import pytest
from mmengine.config import Config
from tool_module import load_tool


def train_args(**kwargs) -> argparse.Namespace:
    args = dict(
        config='configs/unipixel_tiny_synthetic.py',
        work_dir=None,
        resume=None,
        amp=False,
        cfg_options=None,
        launcher='none')
    args.update(kwargs)
    return argparse.Namespace(**args)


def base_cfg() -> Config:
    return Config(
        dict(
            optim_wrapper=dict(type='OptimWrapper', optimizer=dict(lr=1.0)),
            load_from='pretrained.pth',
            resume=False))


@pytest.mark.parametrize('kwargs,expected', [
    (dict(), dict(work_dir='./work_dirs/unipixel_tiny_synthetic')),
    (dict(work_dir='wd', launcher='pytorch'),
     dict(work_dir='wd', launcher='pytorch')),
    (dict(resume='auto'), dict(resume=True, load_from=None)),
    (dict(resume='wd/iter_2.pth'),
     dict(resume=True, load_from='wd/iter_2.pth')),
    (dict(cfg_options={'optim_wrapper.optimizer.lr': 0.5}),
     {'optim_wrapper.optimizer.lr': 0.5}),
])
def test_train_merge_args(kwargs, expected):
    cfg = load_tool('train').merge_args(base_cfg(), train_args(**kwargs))
    for key, value in expected.items():
        node = cfg
        for part in key.split('.'):
            node = node[part]
        assert node == value, key


def test_train_amp_is_bf16_autocast():
    train = load_tool('train')
    cfg = train.merge_args(base_cfg(), train_args(amp=True))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    cfg = base_cfg()
    cfg.optim_wrapper.type = 'ApexOptimWrapper'
    with pytest.raises(ValueError, match='--amp needs'):
        train.merge_args(cfg, train_args(amp=True))


def test_test_merge_args():
    test = load_tool('test')
    args = argparse.Namespace(
        config='configs/unipixel_tiny_synthetic.py',
        checkpoint='wd/iter_2.pth',
        work_dir=None,
        out=None,
        show_dir='vis',
        cfg_options=None,
        launcher='none')
    cfg = base_cfg()
    cfg.default_hooks = dict(visualization=dict(type='VisualizationHook'))
    cfg.load_from = 'other.pth'
    cfg = test.merge_args(cfg, args)
    # not mmengine's non-strict load_from: test() loads the checkpoint
    # strictly once the runner is built
    assert cfg.load_from is None
    assert cfg.default_hooks.visualization == dict(
        type='VisualizationHook', enable=True, out_dir='vis')
    with pytest.raises(ValueError, match='visualization hook'):
        test.merge_args(base_cfg(), args)
