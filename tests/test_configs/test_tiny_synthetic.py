"""The tiny SyntheticShapes config and the schedule bases."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import PARAM_SCHEDULERS

from unipixel_mm.datasets import build_tiny_processor

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')


def test_tiny_token_ids_are_the_tiny_processors(tmp_path):
    cfg = Config.fromfile(osp.join(CONFIGS, 'unipixel_tiny_synthetic.py'))
    token_ids = build_tiny_processor(str(tmp_path))[1]
    for key in ('image_token_id', 'video_token_id', 'vision_start_token_id',
                'ref_token_id', 'seg_token_id', 'mem_token_id',
                'eos_token_id', 'pad_token_id'):
        assert cfg.model[key] == token_ids[key], key
    assert cfg.model.llm.text_config.vocab_size == token_ids['vocab_size']


def test_reference_schedule():
    cfg = Config.fromfile(
        osp.join(CONFIGS, '_base_', 'schedules', 'adamw_cosine_1e.py'))
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=cfg.optim_wrapper.optimizer.lr)
    # as the Runner converts them, for an epoch of 1000 iterations
    schedulers = [
        PARAM_SCHEDULERS.build(
            dict(scheduler, optimizer=optimizer, epoch_length=1000))
        for scheduler in cfg.param_scheduler
    ]
    lrs = []
    for _ in range(1000):
        lrs.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    peak = cfg.optim_wrapper.optimizer.lr
    assert lrs[0] == pytest.approx(peak * 1e-3)
    assert lrs[15] == pytest.approx(peak / 2, rel=0.05)
    # 3% warm-up, then a cosine to 0
    assert max(lrs) == pytest.approx(peak) == lrs[30]
    assert lrs[515] == pytest.approx(peak / 2, rel=0.01)
    assert lrs[-1] < peak * 1e-4
    assert cfg.train_cfg == dict(type='EpochBasedTrainLoop', max_epochs=1)


def test_bf16_schedule():
    cfg = Config.fromfile(
        osp.join(CONFIGS, '_base_', 'schedules', 'adamw_cosine_1e_bf16.py'))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'


def test_tiny_validation_swaps_the_text():
    cfg = Config.fromfile(osp.join(CONFIGS, 'unipixel_tiny_synthetic.py'))
    val = cfg.val_dataloader.dataset
    # every validation clip has two or three shapes, each named by a sample
    assert val.sample_per_object and (val.min_objects, val.max_objects) == (
        2, 3)
    assert [m.type for m in cfg.val_evaluator] == [
        'MaskIoUMetric', 'TextSwapMetric'
    ]
