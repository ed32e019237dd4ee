"""UniPixel on Qwen3-VL: the tiny model against transformers' Qwen3-VL, the
time-stamped video text against transformers' processor, DeepStack, and
checkpoints of the other base refused."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from tool_module import ROOT
from transformers import Qwen3VLConfig, Qwen3VLForConditionalGeneration
from transformers.video_utils import VideoMetadata

from unipixel_mm.datasets import unipixel_collate
from unipixel_mm.models.checkpoint.hf_weights import official_to_modular_key
from unipixel_mm.registry import DATASETS, MODELS
from unipixel_mm.text import (build_tiny_qwen3_processor,
                              expand_video_placeholder)

CONFIGS = osp.join(ROOT, 'configs')
UPSTREAM_TINY = osp.join(ROOT, 'tests', 'data', 'parity', 'upstream_tiny',
                         'checkpoint')


@pytest.fixture(scope='module')
def processor(tmp_path_factory):
    return build_tiny_qwen3_processor(str(tmp_path_factory.mktemp('q3p')))[0]


@pytest.fixture(scope='module')
def tiny_cfg():
    return Config.fromfile(
        osp.join(CONFIGS, '_base_', 'models', 'unipixel_qwen3vl_tiny.py'))


def build_tiny(cfg, **changes):
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg.model.to_dict(), **changes))
    model.init_weights()
    return model.eval()


def hf_twin(model, cfg):
    """transformers' Qwen3-VL with the tiny UniPixel's weights."""
    config = Qwen3VLConfig(
        vision_config=cfg.model.vision_tokenizer.vision_config.to_dict(),
        text_config=cfg.model.llm.text_config.to_dict(),
        image_token_id=cfg.model.image_token_id,
        video_token_id=cfg.model.video_token_id,
        vision_start_token_id=cfg.model.vision_start_token_id,
        vision_end_token_id=241,
        tie_word_embeddings=False)
    hf = Qwen3VLForConditionalGeneration(config).eval()
    own = model.state_dict()
    hf.load_state_dict(
        {k: own[official_to_modular_key(k)]
         for k in hf.state_dict()})
    return hf


def video_batch(processor, num_frames=3):
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (num_frames, 64, 96, 3), dtype=np.uint8)
    messages = [
        dict(
            role='user',
            content=[
                dict(type='video'),
                dict(type='text', text='Track the red circle.')
            ])
    ]
    text = processor.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=True)
    inds = list(range(num_frames))
    batch = processor(
        text=[text],
        videos=[frames],
        video_metadata=[
            VideoMetadata(
                total_num_frames=num_frames, fps=2.0, frames_indices=inds)
        ],
        do_resize=False,
        return_tensors='pt')
    return text, batch


def test_video_text_matches_transformers_processor(processor):
    text, batch = video_batch(processor)
    grid = batch['video_grid_thw'][0]
    assert grid.tolist() == [2, 4, 6]  # 3 frames padded to 2 groups
    # 2 fps, 2 frames a group: the groups' mean times 0.25 s and 1.0 s
    expanded = expand_video_placeholder(processor, text, grid, [0, 1, 2],
                                        second_per_grid_ts=1.0)
    assert '<0.2 seconds><|vision_start|>' + '<|video_pad|>' * 6 \
        + '<|vision_end|><1.0 seconds>' in expanded
    ids = torch.tensor(processor.tokenizer(expanded)['input_ids'])
    assert torch.equal(ids, batch['input_ids'][0])


def test_prefill_matches_transformers_qwen3vl(processor, tiny_cfg):
    """Embedding, time-stamped interleaved M-RoPE positions and DeepStack
    of the modular model give transformers' Qwen3-VL logits."""
    model = build_tiny(tiny_cfg)
    hf = hf_twin(model, tiny_cfg)
    _, batch = video_batch(processor)
    inputs = dict(
        input_ids=batch['input_ids'],
        attention_mask=batch['attention_mask'],
        pixel_values_videos=batch['pixel_values_videos'],
        video_grid_thw=batch['video_grid_thw'])
    with torch.no_grad():
        expected = hf(**inputs).logits
        out, _ = model.prefill(inputs, None)
        # without the DeepStack features the logits differ
        llm_visual = {}
        embeds, _ = model.embed_inputs(inputs, None, llm_visual)
        positions, _ = model.llm.rope_index(
            inputs['input_ids'], video_grid_thw=inputs['video_grid_thw'])
        plain = model.llm(embeds, inputs['attention_mask'], positions)
    assert llm_visual['deepstack'].shape == (2, *embeds.shape)
    assert torch.equal(llm_visual['visual_mask'],
                       inputs['input_ids'] == tiny_cfg.model.video_token_id)
    torch.testing.assert_close(out.logits, expected, atol=1e-5, rtol=1e-4)
    assert (plain.logits - expected).abs().max() > 1e-3


def test_vision_tokens_pool_features_feed_the_merger(tiny_cfg):
    model = build_tiny(tiny_cfg)
    tokenizer = model.vision_tokenizer
    grid = torch.tensor([[1, 4, 4], [2, 4, 6]])
    pixels = torch.randn(int(grid.prod(-1).sum()), 3 * 2 * 16 * 16)
    with torch.no_grad():
        tokens = tokenizer(pixels, grid)
        mlp = tokenizer.projector_to_copy()
        merged = [mlp[1](torch.nn.functional.gelu(mlp[0](f)))
                  for f in tokens.pool_features]
    assert [e.shape for e in tokens.embeds] == [(4, 64), (12, 64)]
    assert [f.shape for f in tokens.pool_features] == [(4, 128), (12, 128)]
    assert [d.shape for d in tokens.deepstack] == [(2, 4, 64), (2, 12, 64)]
    for got, want in zip(merged, tokens.embeds):
        torch.testing.assert_close(got, want)
    # the memory bank's projection starts as the merger's MLP
    for dst, src in zip(model.memory_bank.proj.parameters(),
                        mlp.parameters()):
        assert torch.equal(dst, src)
    # patches that do not match the grids are refused by name
    with pytest.raises(ValueError, match=r'\(28, 1536\) do not match '
                       r'grid_thw \[\[1, 4, 4\], \[2, 4, 6\]\] '
                       r'\(64 patches\)'):
        tokenizer(pixels[:28], grid)


def test_qwen2_5_llm_head_refuses_deepstack():
    cfg = Config.fromfile(
        osp.join(CONFIGS, '_base_', 'models', 'unipixel_tiny.py'))
    head = MODELS.build(dict(cfg.model.llm.to_dict(), seg_embed_dim=8))
    embeds = torch.zeros(1, 3, 64)
    with pytest.raises(ValueError, match='takes no DeepStack'):
        head(embeds, None, torch.zeros(3, 1, 3, dtype=torch.long),
             visual_mask=torch.ones(1, 3, dtype=torch.bool),
             deepstack=torch.zeros(2, 1, 3, 64))


def test_qwen2_5_checkpoint_into_qwen3_config_is_refused(tiny_cfg):
    model = build_tiny(tiny_cfg)
    with pytest.raises(ValueError) as info:
        model.partial_checkpoints = [UPSTREAM_TINY]
        model.init_weights()
    assert 'qwen2_5_vl checkpoint' in str(info.value)
    assert 'built on qwen3_vl' in str(info.value)


def test_qwen3_checkpoint_into_qwen2_5_config_is_refused(tiny_cfg, tmp_path):
    # a Qwen3-VL HuggingFace directory as the pretrained Qwen2.5-VL parts
    hf_twin(build_tiny(tiny_cfg), tiny_cfg).save_pretrained(tmp_path)
    cfg = Config.fromfile(
        osp.join(CONFIGS, '_base_', 'models', 'unipixel_tiny.py'))
    for part in ('vision_tokenizer', 'llm'):
        model = MODELS.build(
            dict(
                cfg.model.to_dict(), **{
                    part: dict(cfg.model[part], pretrained=str(tmp_path))
                }))
        with pytest.raises(ValueError, match='holds a qwen3_vl checkpoint '
                           'but the model is built on qwen2_5_vl'):
            model.init_weights()


def test_qwen3_parts_load_from_a_qwen3_directory(tiny_cfg, tmp_path):
    source = build_tiny(tiny_cfg)
    hf_twin(source, tiny_cfg).save_pretrained(tmp_path)
    parts = {
        part: dict(tiny_cfg.model[part], pretrained=str(tmp_path))
        for part in ('vision_tokenizer', 'llm')
    }
    torch.manual_seed(1)
    model = build_tiny(tiny_cfg, **parts)
    own = source.state_dict()
    for name, value in model.state_dict().items():
        if name.startswith(('vision_tokenizer.', 'llm.model.',
                            'llm.lm_head.')):
            assert torch.equal(value, own[name]), name


def test_visual_prompts_train_on_qwen3(tmp_path):
    """<|ref|> (point / box) and <|mem|> (mask) prompts of SyntheticShapes
    through the tiny Qwen3-VL config's pipeline: the prompt encoder and the
    memory bank (pooling Qwen3-VL features) get gradients."""
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'unipixel_qwen3vl_tiny_synthetic.py'))
    processor = dict(cfg.tiny_processor, save_dir=str(tmp_path))
    pipeline = [
        dict(step, processor=processor) if 'processor' in step else step
        for step in cfg.train_pipeline
    ]
    dataset = DATASETS.build(
        dict(
            cfg.train_dataloader.dataset,
            tasks=('ref', 'region'),
            num_samples=2,
            pipeline=pipeline))
    samples = [dataset[i] for i in range(2)]
    ids = torch.cat([s['inputs']['input_ids'] for s in samples])
    assert (ids == cfg.model.ref_token_id).any()
    assert (ids == cfg.model.mem_token_id).any()
    model = build_tiny(cfg).train()
    data = model.data_preprocessor(unipixel_collate(samples), True)
    losses = model(**data, mode='loss')
    sum(losses.values()).backward()
    assert torch.isfinite(losses['loss_lm'])
    for part in (model.prompt_encoder.out_proj, model.memory_bank.proj):
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for p in part.parameters())


def test_cached_generation_matches_transformers(processor, tiny_cfg):
    """KV-cached greedy decoding (DeepStack at the prefill, positions from
    the rope offsets) writes transformers' Qwen3-VL tokens."""
    model = build_tiny(tiny_cfg)
    hf = hf_twin(model, tiny_cfg)
    _, batch = video_batch(processor, num_frames=2)
    inputs = dict(
        input_ids=batch['input_ids'],
        attention_mask=batch['attention_mask'],
        pixel_values_videos=batch['pixel_values_videos'],
        video_grid_thw=batch['video_grid_thw'])
    ours = model.generate(inputs, max_new_tokens=6, decode_masks=False)[0]
    with torch.no_grad():
        theirs = hf.generate(
            **inputs,
            max_new_tokens=6,
            do_sample=False,
            eos_token_id=None,
            pad_token_id=tiny_cfg.model.pad_token_id)
    expected = theirs[0, inputs['input_ids'].size(1):]
    assert ours.ids.numel() == 6
    assert torch.equal(ours.ids, expected)


def test_qwen3_model_is_not_exported_as_official(tiny_cfg, tmp_path):
    from unipixel_mm.models.checkpoint import export_official_checkpoint
    with pytest.raises(ValueError, match='built on qwen3_vl'):
        export_official_checkpoint(build_tiny(tiny_cfg), str(tmp_path / 'x'))
    assert not (tmp_path / 'x').exists()
