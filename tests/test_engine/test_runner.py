"""build_runner: the runner of tools/train.py and tools/test.py, and the
errors a mistaken config gives."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from unipixel_mm.engine import build_runner

TINY_CFG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', 'unipixel_tiny_synthetic.py')


@pytest.fixture
def tiny_cfg(tmp_path) -> Config:
    cfg = Config.fromfile(TINY_CFG)
    cfg.work_dir = str(tmp_path)
    cfg.launcher = 'none'
    return cfg


def test_builds_runner(tiny_cfg):
    runner = build_runner(tiny_cfg)
    assert type(runner) is Runner
    assert type(runner.model).__name__ == 'UniPixel'
    assert not runner.distributed


@pytest.mark.parametrize('options,error,match', [
    # a misspelt component type: mmengine names the registry
    ({'model.mask_decoder.type': 'SAM2Decodr'}, KeyError,
     'SAM2Decodr is not in the unipixel_mm::model registry'),
    # a misspelt argument: the class names it
    ({'model.mask_decodr': dict(type='SAM2Decoder')}, TypeError,
     r"UniPixel.__init__\(\) got an unexpected keyword argument "
     "'mask_decodr'"),
])
def test_model_typo_gives_a_clear_error(tiny_cfg, options, error, match):
    tiny_cfg.merge_from_dict(options)
    with pytest.raises(error, match=match):
        build_runner(tiny_cfg)


@pytest.mark.parametrize('options,error,match', [
    ({'train_cfg.max_iter': 4}, TypeError,
     "IterBasedTrainLoop.*unexpected keyword argument 'max_iter'"),
    ({'train_dataloader.dataset.type': 'SyntheticShapeDataset'}, KeyError,
     'SyntheticShapeDataset is not in the unipixel_mm::dataset registry'),
])
def test_training_typo_gives_a_clear_error(tiny_cfg, options, error, match):
    tiny_cfg.merge_from_dict(options)
    runner = build_runner(tiny_cfg)
    with pytest.raises(error, match=match):
        runner.train()
