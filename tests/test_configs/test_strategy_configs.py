"""The DeepSpeed and FSDP configs: one line over a stage config each, and
what their strategies make of the stage's optimizer wrapper."""
import ast
import os
import os.path as osp
import sys

import pytest
from accelerate import init_empty_weights
from mmengine.config import Config

from unipixel_mm.engine import build_runner
from unipixel_mm.engine.strategies import (UniPixelDeepSpeedStrategy,
                                           UniPixelFSDPStrategy)
from unipixel_mm.engine.strategies.fsdp_strategy import unit_classes
from unipixel_mm.registry import MODELS

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')
STRATEGY_CONFIGS = sorted(os.listdir(osp.join(CONFIGS, 'strategies')))
KINDS = ('deepspeed_zero2', 'deepspeed_zero3', 'deepspeed_zero3_offload',
         'fsdp')


def bases(path: str) -> list:
    """The ``_base_`` list of a config file, read without running it."""
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == '_base_':
            return ast.literal_eval(node.value)
    return []


def test_every_size_and_kind_has_a_config():
    assert STRATEGY_CONFIGS == sorted(f'unipixel_{size}_{kind}.py'
                                      for size in ('tiny', '3b', '7b')
                                      for kind in KINDS)


@pytest.mark.parametrize('name', STRATEGY_CONFIGS)
def test_one_line_over_a_stage_config(name):
    path = osp.join(CONFIGS, 'strategies', name)
    size, kind = name[len('unipixel_'):-len('.py')].split('_', 1)
    stage = ('unipixel_tiny_synthetic.py'
             if size == 'tiny' else f'unipixel_{size}.py')
    assert bases(path) == [f'../{stage}', f'../_base_/strategies/{kind}.py']
    body = ast.parse(open(path).read()).body
    cfg = Config.fromfile(path)
    stage_cfg = Config.fromfile(osp.join(CONFIGS, stage))
    if size == 'tiny':
        # the tiny stage validates while training, which the ranks of a
        # sharded model cannot do in step
        assert len(body) == 4
        assert stage_cfg.val_cfg is not None and cfg.val_cfg is None
    else:
        # nothing but the inheritance
        assert len(body) == 1
    assert cfg.model == stage_cfg.model
    assert cfg.optim_wrapper == stage_cfg.optim_wrapper
    assert cfg.runner_type == 'FlexibleRunner'
    # the ranks of a step draw one data type and one medium
    sampler = cfg.train_dataloader.sampler
    assert sampler.type == 'DataTypeGroupSampler' and sampler.by_medium


def strategy(name: str, tmp_path):
    """The strategy of a config, built without a runner."""
    cfg = Config.fromfile(osp.join(CONFIGS, 'strategies', name))
    kwargs = cfg.strategy.to_dict()
    kind = {
        'unipixel_mm.UniPixelDeepSpeedStrategy': UniPixelDeepSpeedStrategy,
        'unipixel_mm.UniPixelFSDPStrategy': UniPixelFSDPStrategy
    }[kwargs.pop('type')]
    return cfg, kind(work_dir=str(tmp_path), **kwargs)


@pytest.mark.parametrize('size', ('3b', '7b'))
def test_deepspeed_takes_over_the_stage_optimizer(size, tmp_path):
    cfg, zero2 = strategy(f'unipixel_{size}_deepspeed_zero2.py', tmp_path)
    wrapper = zero2.adapt_optim_wrapper(cfg.optim_wrapper.to_dict())
    # the stage's AmpOptimWrapper: bf16, clipping at 1, 4 accumulations
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert zero2.config['bf16'] == dict(enabled=True)
    assert zero2.config['gradient_clipping'] == 1.0
    assert zero2.config['gradient_accumulation_steps'] == 4
    assert zero2.config['zero_optimization']['stage'] == 2
    assert wrapper == dict(
        type='DeepSpeedOptimWrapper',
        optimizer=cfg.optim_wrapper.optimizer.to_dict(),
        paramwise_cfg=cfg.optim_wrapper.paramwise_cfg.to_dict())
    cfg, offload = strategy(f'unipixel_{size}_deepspeed_zero3_offload.py',
                            tmp_path)
    wrapper = offload.adapt_optim_wrapper(cfg.optim_wrapper.to_dict())
    assert offload.config['zero_optimization']['stage'] == 3
    assert offload.config['zero_optimization']['offload_optimizer'][
        'device'] == 'cpu'
    assert wrapper['optimizer'] == dict(
        cfg.optim_wrapper.optimizer.to_dict(),
        type='DeepSpeedCPUAdam',
        adamw_mode=True)


def test_deepspeed_settings_of_the_strategy_win(tmp_path):
    zero2 = UniPixelDeepSpeedStrategy(
        work_dir=str(tmp_path),
        gradient_clipping=0.5,
        zero_optimization=dict(stage=2))
    zero2.adapt_optim_wrapper(
        dict(
            type='OptimWrapper',
            optimizer=dict(type='AdamW', lr=1e-3),
            clip_grad=dict(max_norm=1.0),
            accumulative_counts=2))
    assert zero2.config['gradient_clipping'] == 0.5
    assert zero2.config['gradient_accumulation_steps'] == 2
    assert 'bf16' not in zero2.config
    with pytest.raises(ValueError, match='clips by norm'):
        zero2.adapt_optim_wrapper(
            dict(optimizer=dict(type='AdamW'), clip_grad=dict(
                type='value', clip_value=1.0)))


@pytest.mark.parametrize('size', ('3b', '7b'))
def test_fsdp_units_and_mixed_precision(size, tmp_path):
    cfg, fsdp = strategy(f'unipixel_{size}_fsdp.py', tmp_path)
    wrapper = fsdp.adapt_optim_wrapper(cfg.optim_wrapper.to_dict())
    assert wrapper['type'].__name__ == 'FSDPOptimWrapper'
    assert wrapper['clip_grad'] == dict(max_norm=1.0)
    assert 'dtype' not in wrapper
    assert fsdp.model_wrapper['mixed_precision'] == dict(
        param_dtype='bfloat16', reduce_dtype='float32', buffer_dtype='float32')
    with init_empty_weights():
        model = MODELS.build(cfg.model)
    units = unit_classes(model, fsdp.wrap_units)
    assert {c.__name__ for c in units} == set(fsdp.wrap_units)
    layers = sum(isinstance(m, tuple(units)) for m in model.modules())
    text = cfg.model.llm.text_config
    vision = cfg.model.vision_tokenizer.vision_config
    # every LLM layer and ViT block, plus SAM2's blocks
    assert layers > text.num_hidden_layers + vision.depth
    with pytest.raises(ValueError, match=r"\['DecoderLayr'\]"):
        unit_classes(model, ['DecoderLayr'])


def test_missing_deepspeed_names_the_extra(tmp_path, monkeypatch):
    """A DeepSpeed config on a machine without deepspeed stops with the
    package and the extra to install."""
    monkeypatch.setitem(sys.modules, 'deepspeed', None)  # import fails
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'strategies', 'unipixel_tiny_deepspeed_zero2.py'))
    cfg.work_dir = str(tmp_path)
    cfg.launcher = 'none'
    with pytest.raises(ImportError) as error:
        build_runner(cfg)
    message = str(error.value)
    assert '"deepspeed" package' in message
    assert 'pip install "unipixel_mm[distributed]"' in message
