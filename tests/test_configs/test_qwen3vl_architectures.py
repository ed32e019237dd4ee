"""The Qwen3-VL 4B / 8B configs and the four SAM2.1 sizes (meta device)."""
import os.path as osp

import pytest
from accelerate import init_empty_weights
from mmengine.config import Config
from test_official_architectures import SAM2_1_B_PLUS, unipixel_extras

from unipixel_mm.datasets import build_tiny_qwen3_processor
from unipixel_mm.registry import MODELS

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')

# Published parameter counts (HF model pages, 4.44B / 8.77B): the
# Qwen3-VL-4B-Instruct (tied lm_head) and -8B-Instruct weights.
QWEN3_VL = {'4b': 4_437_815_808, '8b': 8_767_123_696}
# SAM 2.1 parameter counts; the sam2 README lists them cut to 0.1 M (38.9,
# 46, 80.8 and 224.4 M).
SAM2_1_SIZES = {
    't': 38_962_498,
    's': 46_060_354,
    'b_plus': SAM2_1_B_PLUS,
    'l': 224_446_642
}
SAM2_1_README = {'t': 389, 's': 460, 'b_plus': 808, 'l': 2244}


def count(module):
    return sum(p.numel() for p in module.parameters())


def build_meta(*path):
    cfg = Config.fromfile(osp.join(CONFIGS, *path))
    with init_empty_weights():
        model = MODELS.build(cfg.model)
    model.llm.tie_weights()
    return cfg, model


@pytest.mark.parametrize('size,llm,vision', [('4b', 2560, 1024),
                                             ('8b', 4096, 1152)])
def test_parameter_counts(size, llm, vision):
    _, model = build_meta('_base_', 'models', f'unipixel_qwen3vl_{size}.py')
    llm_params = count(model.llm) - count(model.llm.seg_head)
    assert count(model.vision_tokenizer) + llm_params == QWEN3_VL[size]
    assert count(model.mask_decoder) == SAM2_1_B_PLUS
    assert model.mask_decoder.image_size == 768
    assert count(model) == QWEN3_VL[size] + SAM2_1_B_PLUS + unipixel_extras(
        llm, vision)


@pytest.mark.parametrize('size', ['4b', '8b'])
def test_stage3_config(size):
    """The recipe's stage 3 from the Qwen3-VL-Instruct and SAM2.1 files,
    on the recipe's data read with the Qwen3-VL processor."""
    cfg, model = build_meta(f'unipixel_qwen3vl_{size}.py')
    assert cfg.model.llm.pretrained == f'model_zoo/Qwen3-VL-{size.upper()}' \
        '-Instruct'
    assert cfg.model.mask_decoder.checkpoint.endswith(
        'sam2.1_hiera_base_plus.pt')
    assert len(model.partial_checkpoints) == 2
    assert sum('.lora_A.' in n for n, _ in model.named_parameters()) == \
        36 * 4 + model.vision_tokenizer.config.depth * 2
    steps = cfg.train_dataloader.dataset.datasets[0].dataset.pipeline
    video = next(s for s in steps if s['type'] == 'QwenVideoProcess')
    assert video['processor'] == cfg.model.llm.pretrained
    assert (video['min_pixels'], video['max_pixels']) == (128 * 32 * 32,
                                                          256 * 32 * 32)


@pytest.mark.parametrize('name', ['t', 's', 'b_plus', 'l'])
def test_sam2_1_sizes(name):
    cfg = Config.fromfile(
        osp.join(CONFIGS, '_base_', 'models', 'sam2_1_hiera.py'))
    with init_empty_weights():
        decoder = MODELS.build(cfg[f'sam2_1_hiera_{name}'])
    assert count(decoder) == SAM2_1_SIZES[name]
    assert count(decoder) // 100_000 == SAM2_1_README[name]
    assert (decoder.image_size, decoder.feat_size, decoder.embed_dim) == (
        768, 48, 256)


@pytest.mark.parametrize('path,sam2,llm', [
    ('unipixel_qwen3vl_4b_sam2_1_hiera_t.py', 't', 2560),
    ('unipixel_3b_sam2_1_hiera_l.py', 'l', 2048),
])
def test_sam2_size_over_either_base(path, sam2, llm):
    cfg, model = build_meta('ablations', path)
    assert cfg.model.mask_decoder.sam2_config.endswith(
        f'sam2.1_hiera_{sam2}.yaml')
    assert cfg.model.mask_decoder.checkpoint == 'model_zoo/sam2.1/' + \
        cfg.sam2_1_checkpoints[sam2]
    assert count(model.mask_decoder) == SAM2_1_SIZES[sam2]
    # the segmentation head gives num_seg_tokens SAM2 prompts of 256
    assert model.llm.seg_head[-1].out_features == 2 * 256
    assert model.prompt_encoder.out_proj[1].out_features == llm


def test_tiny_qwen3_token_ids_are_the_tiny_processors(tmp_path):
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'unipixel_qwen3vl_tiny_synthetic.py'))
    assert cfg.model.vision_tokenizer.type == 'Qwen3VisionTokenizer'
    assert cfg.model.llm.type == 'Qwen3LLMHead'
    token_ids = build_tiny_qwen3_processor(str(tmp_path))[1]
    for key in ('image_token_id', 'video_token_id', 'vision_start_token_id',
                'ref_token_id', 'seg_token_id', 'mem_token_id',
                'eos_token_id', 'pad_token_id'):
        assert cfg.model[key] == token_ids[key], key
    steps = cfg.train_dataloader.dataset.pipeline + \
        cfg.val_dataloader.dataset.pipeline
    assert all(s['processor'] == cfg.tiny_processor for s in steps
               if 'processor' in s)
    assert cfg.val_dataloader.dataset.pipeline[-1].keep_ori_masks
