"""The rotary table gives transformers' M-RoPE cos / sin bit for bit."""
import torch
from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import \
    Qwen2_5_VLTextConfig
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import \
    Qwen2_5_VLRotaryEmbedding

from unipixel_mm.models.llm import QwenLLMHead
from unipixel_mm.models.utils.rotary import RotaryTable


def _rotary() -> Qwen2_5_VLRotaryEmbedding:
    config = Qwen2_5_VLTextConfig(
        hidden_size=64,
        num_attention_heads=4,
        rope_scaling=dict(type='default', mrope_section=[2, 3, 3]))
    return Qwen2_5_VLRotaryEmbedding(config)


def test_table_equals_transformers_and_grows():
    rotary = _rotary()
    table = RotaryTable(rotary)
    x = torch.zeros(1)
    short = torch.arange(10).view(1, 1, -1).expand(3, 2, -1)
    long = torch.randint(0, 3000, (3, 2, 40))
    long[:, :, -1] = 2999
    for pos in (short, long):
        for got, want in zip(table(x, pos), rotary(x, pos)):
            assert got.shape == want.shape == (3, 2, pos.size(-1), 16)
            assert torch.equal(got, want)
    # grown to the largest position asked for
    assert table._table.size(0) == 3000


def test_table_follows_dtype_moves():
    rotary = _rotary()
    table = RotaryTable(rotary)
    pos = torch.randint(0, 500, (3, 1, 12))
    table(torch.zeros(1), pos)
    rotary.to(torch.bfloat16)  # inv_freq rounded: the table is rebuilt
    assert rotary.inv_freq.dtype == torch.bfloat16
    for dtype in (torch.float32, torch.bfloat16):
        x = torch.zeros(1, dtype=dtype)
        for got, want in zip(table(x, pos), rotary(x, pos)):
            assert got.dtype == dtype
            assert torch.equal(got, want)


def test_negative_positions_use_the_wrapped_module():
    rotary = _rotary()
    pos = torch.tensor([-2, 0, 5]).view(1, 1, -1).expand(3, 1, -1)
    x = torch.zeros(1)
    for got, want in zip(RotaryTable(rotary)(x, pos), rotary(x, pos)):
        assert torch.equal(got, want)


def test_llm_head_uses_the_table():
    head = QwenLLMHead(
        text_config=dict(
            vocab_size=32,
            hidden_size=64,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=4,
            num_key_value_heads=2,
            rope_scaling=dict(type='default', mrope_section=[2, 3, 3])),
        seg_embed_dim=16)
    assert isinstance(head.model.rotary_emb, RotaryTable)
    # the table keeps no state of its own in checkpoints
    assert not any('rotary' in k for k in head.state_dict())


def test_table_built_in_inference_mode_serves_training():
    table = RotaryTable(_rotary())
    pos = torch.arange(6).view(1, 1, -1).expand(3, 1, -1)
    with torch.inference_mode():
        table(torch.zeros(1), pos)  # a generation builds the table
    query = torch.randn(3, 1, 6, 16, requires_grad=True)
    cos, sin = table(torch.zeros(1), pos)
    (query * cos + query * sin).sum().backward()
    assert torch.equal(query.grad, cos + sin)
