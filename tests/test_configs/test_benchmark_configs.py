"""The configs of configs/benchmarks/: data and evaluator of each."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'benchmarks', '*.py')))


def metrics(evaluator) -> list:
    """The metric configs of an evaluator config (one or a list)."""
    return list(evaluator) if isinstance(evaluator, list) else [evaluator]


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_benchmark_config(path):
    cfg = Config.fromfile(path)
    for split in ('test', 'val'):
        loader = cfg[f'{split}_dataloader']
        assert loader.sampler.shuffle is False
        assert loader.dataset.get('test_mode', True)
        assert loader.dataset.pipeline[-1].type == 'PackUniPixelInputs'
        assert all(m.type for m in metrics(cfg[f'{split}_evaluator']))
    assert cfg.val_dataloader.dataset.type == cfg.test_dataloader.dataset.type
    # masks at the original size for every mask metric
    types = {m.type for m in metrics(cfg.test_evaluator)}
    if types & {'VideoSegMetric', 'RefSegMetric', 'PixelQAMetric'}:
        assert cfg.test_dataloader.dataset.pipeline[-1].keep_ori_masks


def test_benchmark_with_model_config():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'test_tool', osp.join(ROOT, 'tools', 'test.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    model_cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py'))
    bench = Config.fromfile(
        osp.join(ROOT, 'configs', 'benchmarks', 'revos.py'))
    cfg = tool.with_model(model_cfg, bench)
    assert cfg.model.type == 'UniPixel'
    assert cfg.test_dataloader.dataset.type == 'ReVOSDataset'
    assert cfg.test_evaluator.split_key == 'split'
    # a training config gets the evaluation loops
    cfg = tool.with_model(
        Config.fromfile(osp.join(ROOT, 'configs', 'unipixel_3b.py')), bench)
    assert cfg.test_cfg.type == 'TestLoop' and cfg.val_cfg.type == 'ValLoop'
    assert cfg.processor == 'checkpoints/UniPixel-3B'
    cfg.processor = 'my/processor'
    tool.apply_processor(cfg)
    steps = [
        s for s in cfg.test_dataloader.dataset.pipeline if 'processor' in s
    ]
    assert steps and all(s.processor == 'my/processor' for s in steps)
