import pytest
import torch

from unipixel_mm.registry import MODELS


def _build(cfg, attn):
    cfg['vision_tokenizer']['attn_implementation'] = attn
    cfg['llm']['attn_implementation'] = attn
    torch.manual_seed(0)
    return MODELS.build(cfg).eval()


def test_eager_and_sdpa_agree(tiny_cfg, batch_factory):
    import copy
    sdpa = _build(copy.deepcopy(tiny_cfg), 'sdpa')
    eager = _build(copy.deepcopy(tiny_cfg), 'eager')
    eager.load_state_dict(sdpa.state_dict())
    assert eager.llm.model.config._attn_implementation == 'eager'
    assert sdpa.vision_tokenizer.config._attn_implementation == 'sdpa'
    inputs, samples = batch_factory(sdpa, points=1, mem_objects=1)
    with torch.no_grad():
        a = sdpa(inputs, samples, mode='tensor')
        b = eager(inputs, samples, mode='tensor')
    assert torch.allclose(a, b, atol=1e-4)


def test_unknown_and_unavailable_backends(tiny_cfg):
    with pytest.raises(ValueError, match='Unknown attn_implementation'):
        _build(tiny_cfg, 'flash')
    if not torch.cuda.is_available():
        with pytest.raises(
                RuntimeError, match='needs CUDA and the '
                'flash-attn package'):
            _build(tiny_cfg, 'flash_attention_2')
