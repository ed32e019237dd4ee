"""SAM2 options merged into the yaml's model node (nested dicts key by key)."""
import os.path as osp

import pytest
from mmengine.config import Config
from tool_module import ROOT

from unipixel_mm.models.decoders.sam2_builder import (build_sam2_base,
                                                      merge_overrides)


def test_merge_overrides_keeps_siblings():
    cfg = dict(
        image_encoder=dict(trunk=dict(embed_dim=16, drop_path_rate=0.0)),
        image_size=1024)
    merge_overrides(
        cfg,
        dict(
            image_encoder=dict(trunk=dict(drop_path_rate=0.1)),
            image_size=768))
    assert cfg == dict(
        image_encoder=dict(trunk=dict(embed_dim=16, drop_path_rate=0.1)),
        image_size=768)


def test_drop_path_rate_reaches_the_hiera_blocks():
    tiny = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'models',
                 'unipixel_tiny.py')).tiny_sam2.to_dict()
    sam2 = build_sam2_base(
        tiny, image_encoder=dict(trunk=dict(drop_path_rate=0.1)))
    blocks = sam2.image_encoder.trunk.blocks
    # 5 blocks (stages 1, 1, 2, 1): linspace(0, 0.1, 5) per block, the first
    # without stochastic depth
    probs = [getattr(b.drop_path, 'drop_prob', 0.0) for b in blocks]
    assert probs == pytest.approx([0.0, 0.025, 0.05, 0.075, 0.1])
    # the other trunk options of the yaml are kept
    assert sam2.image_encoder.trunk.blocks[0].dim == 16


def test_official_model_configs_have_the_reference_drop_path():
    for name in ('unipixel_3b.py', 'unipixel_3b_stage3.py',
                 'unipixel_7b_stage3.py'):
        cfg = Config.fromfile(osp.join(ROOT, 'configs', name))
        assert cfg.model.mask_decoder.sam2_overrides == dict(
            image_encoder=dict(trunk=dict(drop_path_rate=0.1))), name
        # the evaluation scripts' generation length
        assert cfg.model.generation_cfg.max_new_tokens == 512, name
