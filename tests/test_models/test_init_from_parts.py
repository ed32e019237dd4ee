"""Building UniPixel from a Qwen2.5-VL directory and a SAM2 checkpoint."""
import os.path as osp

import pytest
import torch
from safetensors.torch import save_file

from unipixel_mm.models.checkpoint import official_state_dict
from unipixel_mm.registry import MODELS


@pytest.fixture
def parts(tiny_model, tmp_path):
    """A Qwen2.5-VL-style directory and a sam2 ``.pt`` from a tiny model."""
    qwen_dir = tmp_path / 'qwen'
    qwen_dir.mkdir()
    state = official_state_dict(tiny_model)
    qwen = {
        k: v
        for k, v in state.items()
        if k.startswith(('visual.', 'model.', 'lm_head.'))
    }
    save_file(qwen, str(qwen_dir / 'model.safetensors'))
    sam2_path = str(tmp_path / 'sam2.pt')
    torch.save({'model': tiny_model.mask_decoder.sam2.state_dict()},
               sam2_path)
    return tiny_model, str(qwen_dir), sam2_path


def _parts_cfg(tiny_cfg, qwen_dir, sam2_path):
    tiny_cfg['vision_tokenizer']['pretrained'] = qwen_dir
    tiny_cfg['llm']['pretrained'] = qwen_dir
    tiny_cfg['mask_decoder']['checkpoint'] = sam2_path
    return tiny_cfg


def test_init_from_parts(parts, tiny_cfg):
    source, qwen_dir, sam2_path = parts
    torch.manual_seed(123)
    model = MODELS.build(_parts_cfg(tiny_cfg, qwen_dir, sam2_path))
    model.init_weights()
    ours, theirs = model.state_dict(), source.state_dict()
    for prefix in ('vision_tokenizer.', 'llm.model.', 'llm.lm_head.',
                   'mask_decoder.'):
        keys = [k for k in theirs if k.startswith(prefix)]
        assert keys and all(torch.equal(ours[k], theirs[k]) for k in keys)
    # new modules, initialised as the reference does
    for a, b in zip(model.prompt_encoder.sam_prompt_encoder.parameters(),
                    model.mask_decoder.sam2.sam_prompt_encoder.parameters()):
        assert torch.equal(a, b)
    for a, b in zip(model.memory_bank.proj.parameters(),
                    model.vision_tokenizer.visual.merger.mlp.parameters()):
        assert torch.equal(a, b)
    for layer in (model.llm.seg_head[1], model.llm.seg_head[3],
                  model.prompt_encoder.point_proj,
                  model.prompt_encoder.out_proj[1]):
        fan_in, fan_out = layer.weight.shape[1], layer.weight.shape[0]
        bound = (6 / (fan_in + fan_out))**0.5
        assert layer.weight.abs().max() <= bound
        assert torch.count_nonzero(layer.bias) == 0


def test_missing_part_weights_are_named(parts, tiny_cfg, tmp_path):
    _, _, sam2_path = parts
    empty = tmp_path / 'empty'
    empty.mkdir()
    save_file({'lm_head.weight': torch.zeros(256, 64)},
              str(empty / 'model.safetensors'))
    model = MODELS.build(_parts_cfg(tiny_cfg, str(empty), sam2_path))
    with pytest.raises(KeyError, match='no weights for "vision_tokenizer"'):
        model.init_weights()


def test_vocabulary_grows_with_mean_rows(parts, tiny_cfg):
    source, qwen_dir, sam2_path = parts
    cfg = _parts_cfg(tiny_cfg, qwen_dir, sam2_path)
    cfg['llm']['vocab_size'] = 260
    model = MODELS.build(cfg)
    model.init_weights()
    embed = model.llm.model.embed_tokens.weight
    assert embed.shape == (260, 64)
    assert model.llm.lm_head.weight.shape == (260, 64)
    old = source.llm.model.embed_tokens.weight
    assert torch.allclose(embed[256:], old.mean(0).expand(4, -1))
    assert osp.isdir(qwen_dir)
