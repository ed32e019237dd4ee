"""Shared tiny model and batch builders for the tests.

``UNIPIXEL_MM_NO_SKIP=1`` (set by CI and the README's test command) turns
every skipped test into a failure: CI installs every extra, so nothing may
skip there.
"""
import os
import os.path as osp
from typing import List, Optional, Tuple

import pytest
import torch
from mmengine.config import Config
from tool_module import ROOT

from unipixel_mm.structures import PixelDataSample
from unipixel_mm.utils import register_all_modules

TINY_MODEL_CFG = osp.join(ROOT, 'configs', '_base_', 'models',
                          'unipixel_tiny.py')

register_all_modules()


def tiny_model_cfg() -> dict:
    """The tiny UniPixel config (a fresh copy each call)."""
    return Config.fromfile(TINY_MODEL_CFG).model.to_dict()


def build_tiny_model(seed: int = 0, **overrides):
    from unipixel_mm.registry import MODELS
    torch.manual_seed(seed)
    cfg = tiny_model_cfg()
    cfg.update(overrides)
    return MODELS.build(cfg).eval()


def make_batch(model,
               num_frames: int = 2,
               points: int = 1,
               boxes: int = 0,
               mem_objects: int = 0,
               segs: int = 1,
               with_targets: bool = False,
               frame_size: Tuple[int, int] = (96, 80),
               seed: int = 0) -> Tuple[dict, List[PixelDataSample]]:
    """One tiny video sample with visual prompts and ``<|seg|>`` tokens.

    The video is a 56 x 56 clip (a 4 x 4 patch grid, 2 x 2 merged tokens per
    temporal group); SAM2 frames are 128 x 128.
    """
    gen = torch.Generator().manual_seed(seed)
    grid_t = (num_frames + 1) // 2
    grid = torch.tensor([grid_t, 4, 4])
    num_vis = grid_t * 4
    ids: List[int] = [1, 240] + [model.video_token_id] * num_vis + [241]
    ids += [10 + i for i in range(5)]
    ids += [model.ref_token_id, 20] * (points + boxes)
    prompt_masks: Optional[torch.Tensor] = None
    if mem_objects:
        prompt_masks = torch.zeros(grid_t, mem_objects, 2, 2, dtype=torch.bool)
        prompt_masks[0, :, 0, 0] = True
        prompt_masks[-1, 0, 1, 1] = True
        ids += [model.mem_token_id] * int(
            prompt_masks.flatten(2).any(-1).sum())
    prompt_len = len(ids)
    ids += [30, 31
            ] + [x for _ in range(segs) for x in (model.seg_token_id, 32)]
    ids += [2]
    input_ids = torch.tensor([ids])
    inputs = dict(
        input_ids=input_ids,
        attention_mask=torch.ones_like(input_ids),
        pixel_values_videos=torch.randn(int(grid.prod()), 1176, generator=gen),
        video_grid_thw=grid[None],
        second_per_grid_ts=torch.tensor([1.0]),
        frames=[torch.randn(num_frames, 3, 128, 128, generator=gen)])
    sample = PixelDataSample(metainfo=dict(frame_size=frame_size))
    coords = [torch.tensor([[30.0 + 10 * i, 70.0]]) for i in range(points)]
    coords += [torch.tensor([[10.0, 20.0], [90.0, 110.0]])] * boxes
    labels = [torch.tensor([1])] * points + [torch.tensor([2, 3])] * boxes
    if coords:
        sample.prompt_coords = coords
        sample.prompt_labels = labels
        sample.prompt_frames = torch.arange(len(coords)) % num_frames
    if prompt_masks is not None:
        sample.prompt_masks = prompt_masks
    if with_targets:
        labels_ids = input_ids.clone()
        labels_ids[:, :prompt_len] = -100
        inputs['labels'] = labels_ids
        masks = torch.zeros(num_frames, segs, 128, 128, dtype=torch.bool)
        for o in range(segs):
            masks[:, o, 20 + 10 * o:60 + 10 * o, 30:90] = True
        sample.gt_masks = masks
        sample.gt_obj_to_frame = torch.stack([
            torch.arange(num_frames)[:, None].expand(-1, segs),
            torch.zeros(num_frames, segs, dtype=torch.long)
        ], -1).int()
    return inputs, [sample]


@pytest.fixture(scope='module')
def tiny_model():
    return build_tiny_model()


@pytest.fixture
def batch_factory():
    """``make_batch`` for tests (see its docstring)."""
    return make_batch


@pytest.fixture
def model_factory():
    """``build_tiny_model`` for tests: a tiny UniPixel with overrides."""
    return build_tiny_model


@pytest.fixture
def tiny_cfg():
    """A fresh copy of the tiny UniPixel config dict."""
    return tiny_model_cfg()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With ``UNIPIXEL_MM_NO_SKIP=1`` a skipped test fails (not xfail)."""
    outcome = yield
    report = outcome.get_result()
    if (report.skipped and not hasattr(report, 'wasxfail')
            and os.environ.get('UNIPIXEL_MM_NO_SKIP') == '1'):
        reason = report.longrepr[-1] if isinstance(report.longrepr,
                                                   tuple) else report.longrepr
        report.outcome = 'failed'
        report.longrepr = f'skipped under UNIPIXEL_MM_NO_SKIP=1: {reason}'
