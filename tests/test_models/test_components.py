import math

import pytest
import torch

from unipixel_mm.models import (ObjectMemoryBank, SAM2PromptEncoder,
                                TemporalPositionEncoding)


def test_memory_bank_pools_per_object_and_group():
    bank = ObjectMemoryBank(in_dim=2, embed_dim=2)
    with torch.no_grad():
        bank.proj[0].weight.copy_(torch.eye(2))
        bank.proj[0].bias.zero_()
        bank.proj[2].weight.copy_(torch.eye(2))
        bank.proj[2].bias.zero_()
    bank.proj[1] = torch.nn.Identity()
    # 2 groups of a 1 x 2 grid: features 0..3 = (g0,x0) (g0,x1) (g1,x0) ...
    features = torch.tensor([[1., 0.], [3., 2.], [5., 4.], [7., 6.]])
    masks = torch.zeros(2, 2, 1, 2, dtype=torch.bool)
    masks[0, 0, 0, :] = True  # object 0, group 0: mean of rows 0, 1
    masks[1, 0, 0, 1] = True  # object 0, group 1: row 3
    masks[1, 1, 0, 0] = True  # object 1, group 1: row 2
    assert ObjectMemoryBank.num_tokens(masks) == 3
    out = bank(features, masks)
    expected = torch.tensor([[2., 1.], [7., 6.], [5., 4.]])
    assert torch.allclose(out, expected)


def test_memory_bank_rejects_wrong_grid():
    bank = ObjectMemoryBank(in_dim=2, embed_dim=2)
    with pytest.raises(ValueError, match='does not cover'):
        bank(torch.zeros(8, 2), torch.ones(2, 1, 1, 2, dtype=torch.bool))


def test_temporal_encoding_values():
    pe = TemporalPositionEncoding(num_pos_feats=1)
    pe.positional_encoding_gaussian_matrix.fill_(0.25)
    out = pe(torch.tensor([0, 2]), num_frames=3)
    # frame 0 -> -1, frame 2 -> +1 after normalisation to [-1, 1]
    angle = 2 * math.pi * 0.25
    expected = torch.tensor([[math.sin(-angle),
                              math.cos(-angle)],
                             [math.sin(angle),
                              math.cos(angle)]])
    assert torch.allclose(out, expected, atol=1e-6)


@pytest.fixture
def prompt_encoder():
    torch.manual_seed(0)
    return SAM2PromptEncoder(
        embed_dim=16, llm_dim=8, image_size=128, feat_size=8)


def test_prompt_encoder_point_and_box(prompt_encoder):
    out = prompt_encoder(
        [torch.tensor([[5., 6.]]),
         torch.tensor([[1., 2.], [50., 60.]])],
        [torch.tensor([1]), torch.tensor([2, 3])], torch.tensor([0, 3]), 4)
    assert out.shape == (2, 8)
    # the frame of a prompt changes its embedding
    moved = prompt_encoder([torch.tensor([[5., 6.]])], [torch.tensor([1])],
                           torch.tensor([2]), 4)
    assert not torch.allclose(out[:1], moved)


@pytest.mark.parametrize('coords,labels,frames,message', [
    ([[[130., 5.]]], [[1]], [0], 'outside'),
    ([[[5., -1.]]], [[1]], [0], 'outside'),
    ([[[50., 5.], [10., 60.]]], [[2, 3]], [0], 'bottom-right'),
    ([[[5., 5.], [6., 6.]]], [[1, 1]], [0], 'one point'),
    ([[[5., 5.]]], [[1]], [4], 'outside the clip'),
    ([[[5., 5.]]], [[1]], [0, 0], 'one of each'),
])
def test_prompt_encoder_errors(prompt_encoder, coords, labels, frames,
                               message):
    with pytest.raises(ValueError, match=message):
        prompt_encoder([torch.tensor(c)
                        for c in coords], [torch.tensor(lb) for lb in labels],
                       torch.tensor(frames), 4)


def test_batched_tracking_equals_per_object(tiny_model):
    decoder = tiny_model.mask_decoder
    torch.manual_seed(0)
    frames = torch.randn(5, 3, 128, 128)
    prompts = torch.randn(3, 2, 64)
    batched, scores = decoder.predict(frames, prompts, (96, 80))
    single, single_scores = decoder.predict(
        frames, prompts, (96, 80), batch_objects=False)
    assert batched.shape == (3, 5, 96, 80)
    for a, b in zip(batched.flatten(1), single.flatten(1)):
        union = (a | b).sum()
        assert union == 0 or (a & b).sum() / union >= 0.99
    assert torch.allclose(scores, single_scores, atol=1e-4)


def test_chunked_frame_encoding_is_exact(tiny_model):
    decoder = tiny_model.mask_decoder
    torch.manual_seed(1)
    frames = torch.randn(5, 3, 128, 128)
    prompts = torch.randn(2, 2, 64)
    chunk = decoder.frame_chunk_size
    try:
        decoder.frame_chunk_size = 2
        chunked = decoder.predict(frames, prompts, (64, 64))
        decoder.frame_chunk_size = None
        whole = decoder.predict(frames, prompts, (64, 64))
    finally:
        decoder.frame_chunk_size = chunk
    assert torch.equal(chunked[0], whole[0])
    assert torch.allclose(chunked[1], whole[1], atol=1e-5)


def test_vision_tokenizer_pool_order(tiny_cfg):
    from unipixel_mm.registry import MODELS
    cfg = tiny_cfg['vision_tokenizer']
    # 8 x 8 patches -> 4 x 4 merged tokens in 2 x 2 windows of 2 x 2
    grid = torch.tensor([[1, 8, 8]])
    pixels = torch.randn(64, 1176)
    torch.manual_seed(0)
    window = MODELS.build(dict(cfg, pool_feature_order='window'))
    raster = MODELS.build(dict(cfg, pool_feature_order='raster'))
    raster.load_state_dict(window.state_dict())
    with torch.no_grad():
        win = window(pixels, grid)
        ras = raster(pixels, grid)
    assert torch.allclose(win.embeds[0], ras.embeds[0])
    assert win.pool_features[0].shape == (16, 4 * 32)
    # window order: window (0, 0) holds raster tokens 0, 1, 4, 5
    assert torch.allclose(win.pool_features[0][:4],
                          ras.pool_features[0][[0, 1, 4, 5]])
    with pytest.raises(ValueError, match='do not match grid_thw'):
        window(pixels[:10], grid)
