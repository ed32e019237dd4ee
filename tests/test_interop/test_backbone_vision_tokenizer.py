import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from tool_module import ROOT

from unipixel_mm.datasets import get_processor
from unipixel_mm.models.tokenizers.backbone_vision_tokenizer import (
    BackboneVisionTokenizer, TimmBackbone)
from unipixel_mm.registry import MODELS

TIMM_BACKBONE = dict(
    type='TimmBackbone', model_name='test_resnet', out_indices=(2, ))
MMDET_RESNET = dict(
    type='mmdet.ResNet',
    depth=18,
    base_channels=8,
    num_stages=3,
    strides=(1, 2, 2),
    dilations=(1, 1, 1),
    out_indices=(2, ),
    norm_eval=False)
MMSEG_MIT = dict(
    type='mmseg.MixVisionTransformer',
    embed_dims=8,
    num_stages=2,
    num_layers=[1, 1],
    num_heads=[1, 1],
    patch_sizes=[7, 3],
    strides=[4, 2],
    sr_ratios=[2, 1],
    out_indices=(1, ))


def tokenizer_cfg(backbone: dict) -> dict:
    return dict(
        type='BackboneVisionTokenizer',
        backbone=backbone,
        embed_dim=64,
        tokens_per_second=4)


def test_unpatchify_inverts_the_qwen_processor(tiny_processor_cfg):
    video_processor = get_processor(tiny_processor_cfg).video_processor
    frames = np.random.default_rng(0).integers(
        0, 256, (3, 56, 84, 3), dtype=np.uint8)
    out = video_processor(
        videos=[frames], do_resize=False, return_tensors='pt')
    tokenizer = BackboneVisionTokenizer(TIMM_BACKBONE, embed_dim=64)
    restored = tokenizer.unpatchify(out['pixel_values_videos'],
                                    out['video_grid_thw'][0])
    mean = torch.tensor(video_processor.image_mean)[:, None, None]
    std = torch.tensor(video_processor.image_std)[:, None, None]
    expected = (torch.from_numpy(frames).permute(0, 3, 1, 2) / 255 -
                mean) / std
    # three frames padded to two temporal groups by repeating the last
    assert restored.shape == (4, 3, 56, 84)
    torch.testing.assert_close(restored[:3], expected, atol=1e-5, rtol=0)
    torch.testing.assert_close(restored[3], expected[2], atol=1e-5, rtol=0)


def test_tokens_are_pooled_projected_backbone_features():
    tokenizer = MODELS.build(tokenizer_cfg(TIMM_BACKBONE)).eval()
    assert isinstance(tokenizer.visual.backbone, TimmBackbone)
    assert (tokenizer.embed_dim, tokenizer.pool_dim) == (64, 48)
    assert (tokenizer.merge_size, tokenizer.temporal_patch_size) == (2, 2)
    assert tokenizer.config.tokens_per_second == 4
    grid = torch.tensor([[1, 4, 6], [2, 2, 2]])
    pixels = torch.randn(int(grid.prod(-1).sum()), 3 * 2 * 14 * 14)
    with torch.no_grad():
        tokens = tokenizer(pixels, grid)
        frames = tokenizer.unpatchify(pixels[:24], grid[0])
        feat = tokenizer.visual.backbone(frames)[0].mean(0, keepdim=True)
        feat = torch.nn.functional.adaptive_avg_pool2d(feat, (2, 3))
    assert [e.shape for e in tokens.embeds] == [(6, 64), (2, 64)]
    assert [f.shape for f in tokens.pool_features] == [(6, 48), (2, 48)]
    expected = feat[0].permute(1, 2, 0).reshape(6, 48)
    torch.testing.assert_close(tokens.pool_features[0], expected)
    torch.testing.assert_close(
        tokens.embeds[0], tokenizer.visual.merger.mlp(expected))
    with pytest.raises(ValueError, match='do not match grid_thw'):
        tokenizer(pixels[:-1], grid)


def check_swapped_model(backbone: dict, model_factory, batch_factory) -> None:
    """Build the tiny UniPixel on ``backbone``; run every mode."""
    model = model_factory(vision_tokenizer=tokenizer_cfg(backbone))
    assert isinstance(model.vision_tokenizer, BackboneVisionTokenizer)
    model.init_weights()
    # the projector seeds the memory bank's projection, as Qwen's merger does
    torch.testing.assert_close(model.memory_bank.proj[0].weight,
                               model.vision_tokenizer.visual.merger.mlp[0]
                               .weight)
    inputs, samples = batch_factory(
        model, points=1, mem_objects=1, segs=1, with_targets=True)
    pred = model(inputs, samples, mode='predict')[0]
    assert pred.pred_masks[0].shape == (2, 96, 80)
    model.train()
    losses = model(inputs, samples, mode='loss')
    sum(losses.values()).backward()
    grads = [
        p.grad for p in model.vision_tokenizer.visual.backbone.parameters()
    ]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)


def test_tiny_unipixel_on_a_timm_backbone(model_factory, batch_factory):
    check_swapped_model(TIMM_BACKBONE, model_factory, batch_factory)


def test_tiny_unipixel_on_an_mmdet_backbone(mmdet, model_factory,
                                            batch_factory):
    check_swapped_model(MMDET_RESNET, model_factory, batch_factory)


def test_tiny_unipixel_on_an_mmseg_backbone(mmseg, model_factory,
                                            batch_factory):
    check_swapped_model(MMSEG_MIT, model_factory, batch_factory)


@pytest.mark.parametrize('name, toolkit', [
    ('unipixel_tiny_synthetic_timm_vision.py', None),
    ('unipixel_tiny_synthetic_mmdet_resnet_vision.py', 'mmdet'),
])
def test_ablation_configs_build(name, toolkit, request, batch_factory):
    if toolkit:
        request.getfixturevalue(toolkit)
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'interop', name))
    model = MODELS.build(cfg.model).eval()
    assert isinstance(model.vision_tokenizer, BackboneVisionTokenizer)
    inputs, samples = batch_factory(model, points=1, segs=1)
    with torch.no_grad():
        logits = model(inputs, samples, mode='tensor')
    assert logits.shape[:2] == inputs['input_ids'].shape
