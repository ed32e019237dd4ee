"""Trainable-module selection, LoRA, gradient checkpointing and checkpoints
of the trainable parameters (``UniPixel(train_cfg=...)``)."""
from types import SimpleNamespace

import pytest
import torch
from safetensors.torch import save_file

from unipixel_mm.engine import SaveTrainableParamsHook
from unipixel_mm.models.checkpoint import (export_official_checkpoint,
                                           official_state_dict)
from unipixel_mm.models.utils.finetune import get_lora_targets, merge_lora
from unipixel_mm.registry import MODELS

LORA = dict(r=4, alpha=8, dropout=0.0, target='qkvo_all')


def trainable(model):
    return {n for n, p in model.named_parameters() if p.requires_grad}


def test_lora_targets_are_the_attention_projections(tiny_model):
    targets = get_lora_targets(tiny_model, 'qkvo_all')
    # 2 LLM layers x q/k/v/o + 2 ViT blocks x qkv/proj
    assert len(targets) == 2 * 4 + 2 * 2
    assert 'llm.model.layers.1.self_attn.o_proj' in targets
    assert 'vision_tokenizer.visual.blocks.0.attn.qkv' in targets
    assert get_lora_targets(tiny_model, 'qkvo_llm') == [
        t for t in targets if t.startswith('llm.')
    ]
    assert not any('mask_decoder' in t or 'head' in t
                   for t in get_lora_targets(tiny_model, 'linear_all'))
    with pytest.raises(ValueError, match='Unknown LoRA target'):
        get_lora_targets(tiny_model, 'qkv_all')


def test_trainable_prefixes_and_lora(model_factory):
    model = model_factory(
        train_cfg=dict(trainable=['llm.seg_head'], lora=LORA))
    names = trainable(model)
    lora = {n for n in names if '.lora_' in n}
    assert len(lora) == 2 * 12
    assert names - lora == {
        n
        for n, _ in model.named_parameters() if n.startswith('llm.seg_head')
    }
    with pytest.raises(KeyError, match='llm.seg_haed'):
        model_factory(train_cfg=dict(trainable=['llm.seg_haed']))
    # a prefix naming an absent component is no typo
    model = model_factory(
        memory_bank=None, train_cfg=dict(trainable=['memory_bank']))
    assert not trainable(model)


def test_lora_model_loads_the_parts(tiny_model, tiny_cfg, tmp_path):
    """Pretrained weights go to the adapted layers' base_layer."""
    qwen = {
        k: v
        for k, v in official_state_dict(tiny_model).items()
        if k.startswith(('visual.', 'model.', 'lm_head.'))
    }
    save_file(qwen, str(tmp_path / 'model.safetensors'))
    tiny_cfg['vision_tokenizer']['pretrained'] = str(tmp_path)
    tiny_cfg['llm']['pretrained'] = str(tmp_path)
    model = MODELS.build(dict(tiny_cfg, train_cfg=dict(lora=LORA)))
    model.init_weights()
    ours = model.state_dict()
    for key in ('llm.model.layers.0.self_attn.q_proj.weight',
                'vision_tokenizer.visual.blocks.1.attn.proj.bias'):
        head, _, leaf = key.rpartition('.')
        assert torch.equal(ours[f'{head}.base_layer.{leaf}'],
                           tiny_model.state_dict()[key])


def test_gradient_checkpointing_trains_lora(model_factory, batch_factory):
    model = model_factory(
        train_cfg=dict(
            trainable=['llm.seg_head'], lora=LORA,
            gradient_checkpointing=True)).train()
    assert model.llm.model.gradient_checkpointing
    assert model.vision_tokenizer.visual.gradient_checkpointing
    inputs, samples = batch_factory(model, points=1, segs=1, with_targets=True)
    sum(model(inputs, samples, mode='loss').values()).backward()
    params = dict(model.named_parameters())
    for name in ('llm.model.layers.0.self_attn.q_proj.lora_B.default.weight',
                 'vision_tokenizer.visual.blocks.0.attn.qkv.lora_B.default.'
                 'weight', 'llm.seg_head.3.weight'):
        assert params[name].grad.abs().sum() > 0, name
    assert all(p.grad is None for n, p in params.items()
               if n not in trainable(model))


def test_trainable_checkpoint_loads_into_the_next_stage(
        model_factory, tmp_path):
    stage1 = model_factory(
        seed=1, train_cfg=dict(trainable=['prompt_encoder.out_proj']))
    checkpoint = dict(state_dict=stage1.state_dict(), optimizer={})
    SaveTrainableParamsHook().before_save_checkpoint(
        SimpleNamespace(model=stage1), checkpoint)
    assert set(checkpoint['state_dict']) == {
        'prompt_encoder.out_proj.1.weight', 'prompt_encoder.out_proj.1.bias'
    }
    path = str(tmp_path / 'stage1.pth')
    torch.save(checkpoint, path)

    stage3 = model_factory(
        seed=2, partial_checkpoints=[path], train_cfg=dict(lora=LORA))
    stage3.init_weights()
    assert torch.equal(stage3.prompt_encoder.out_proj[1].weight,
                       stage1.prompt_encoder.out_proj[1].weight)

    torch.save({'state_dict': {'llm.missing': torch.zeros(1)}}, path)
    with pytest.raises(KeyError, match='llm.missing'):
        model_factory(partial_checkpoints=[path]).init_weights()


def test_merged_lora_model_exports(model_factory, batch_factory, tmp_path):
    model = model_factory(train_cfg=dict(lora=LORA))
    with torch.no_grad():
        for name, param in model.named_parameters():
            if '.lora_B.' in name:
                param.normal_(std=0.1)
    inputs, samples = batch_factory(model, points=1, segs=1)
    with torch.no_grad():
        adapted = model(inputs, samples, mode='tensor')
        merge_lora(model)
        merged = model(inputs, samples, mode='tensor')
    assert torch.allclose(adapted, merged, atol=1e-4)
    assert not any('lora' in k or 'base_layer' in k
                   for k in model.state_dict())
    export_official_checkpoint(model, str(tmp_path / 'export'))
    plain = model_factory(partial_checkpoints=[str(tmp_path / 'export')])
    plain.init_weights()
    with torch.no_grad():
        assert torch.allclose(
            plain(inputs, samples, mode='tensor'), merged, atol=1e-4)
