"""The tiny SyntheticShapes config and the schedule bases."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import PARAM_SCHEDULERS
from tool_module import load_tool

from unipixel_mm.datasets import build_tiny_processor
from unipixel_mm.registry import DATASETS, MODELS

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')


def test_tiny_token_ids_are_the_tiny_processors(tmp_path):
    cfg = Config.fromfile(osp.join(CONFIGS, 'unipixel_tiny_synthetic.py'))
    token_ids = build_tiny_processor(str(tmp_path))[1]
    for key in ('image_token_id', 'video_token_id', 'vision_start_token_id',
                'ref_token_id', 'seg_token_id', 'mem_token_id',
                'eos_token_id', 'pad_token_id'):
        assert cfg.model[key] == token_ids[key], key
    assert cfg.model.llm.text_config.vocab_size == token_ids['vocab_size']


def test_reference_schedule():
    cfg = Config.fromfile(
        osp.join(CONFIGS, '_base_', 'schedules', 'adamw_cosine_1e.py'))
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=cfg.optim_wrapper.optimizer.lr)
    # as the Runner converts them, for an epoch of 1000 iterations
    schedulers = [
        PARAM_SCHEDULERS.build(
            dict(scheduler, optimizer=optimizer, epoch_length=1000))
        for scheduler in cfg.param_scheduler
    ]
    lrs = []
    for _ in range(1000):
        lrs.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    peak = cfg.optim_wrapper.optimizer.lr
    assert lrs[0] == pytest.approx(peak * 1e-3)
    assert lrs[15] == pytest.approx(peak / 2, rel=0.05)
    # 3% warm-up, then a cosine to 0
    assert max(lrs) == pytest.approx(peak) == lrs[30]
    assert lrs[515] == pytest.approx(peak / 2, rel=0.01)
    assert lrs[-1] < peak * 1e-4
    assert cfg.train_cfg == dict(type='EpochBasedTrainLoop', max_epochs=1)


def test_bf16_schedule():
    cfg = Config.fromfile(
        osp.join(CONFIGS, '_base_', 'schedules', 'adamw_cosine_1e_bf16.py'))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'


def test_tiny_validation_swaps_the_text():
    cfg = Config.fromfile(osp.join(CONFIGS, 'unipixel_tiny_synthetic.py'))
    val = cfg.val_dataloader.dataset
    # every validation clip has two or three shapes, each named by a sample
    assert val.sample_per_object and (val.min_objects, val.max_objects) == (
        2, 3)
    # no two of one colour or one shape; the answer is generated
    assert val.unique == ('colour', 'shape') and val.test_mode
    assert cfg.model.generation_cfg.max_new_tokens > 0
    assert [m.type for m in cfg.val_evaluator] == [
        'MaskIoUMetric', 'TextSwapMetric'
    ]


def test_tiny_default_starts_from_the_shipped_sam2():
    """SAM2 loads checkpoints/tiny_sam2_shapes.pt and stays frozen; the
    vision tokenizer and the LLM train."""
    cfg = Config.fromfile(osp.join(CONFIGS, 'unipixel_tiny_synthetic.py'))
    path = cfg.model.mask_decoder.checkpoint
    assert osp.samefile(
        path, osp.join(CONFIGS, '..', 'checkpoints', 'tiny_sam2_shapes.pt'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    state = torch.load(path, map_location='cpu', weights_only=True)
    loaded = model.mask_decoder.sam2.state_dict()
    assert all(torch.equal(v, state['model'][k]) for k, v in loaded.items())
    assert not any(p.requires_grad for p in model.mask_decoder.parameters())
    for part in (model.llm, model.vision_tokenizer):
        assert all(p.requires_grad for p in part.parameters())
    # one mask per prompt: the prompt alone chooses the object
    assert not model.mask_decoder.sam2.multimask_output_in_sam


def test_shipped_sam2_picks_the_named_shape():
    """The shipped SAM2, prompted by the name embedding it was trained with,
    segments the named shape of the validation clips (the bound on what the
    tiny default can reach)."""
    probe = load_tool('probe_sam2_selection')
    cfg = Config.fromfile(osp.join(CONFIGS, 'unipixel_tiny_synthetic.py'))
    state = torch.load(
        cfg.model.mask_decoder.checkpoint, map_location='cpu',
        weights_only=True)
    decoder = MODELS.build(cfg.model.mask_decoder)
    decoder.init_weights()
    name_prompt = probe.NamePrompt(cfg.model.llm.num_seg_tokens,
                                   decoder.embed_dim)
    name_prompt.load_state_dict(state['name_prompt'])
    dataset = DATASETS.build(dict(cfg.val_dataloader.dataset, num_samples=8))
    evaluator = Evaluator(cfg.val_evaluator)
    evaluator.dataset_meta = dataset.metainfo
    metrics = probe.validate(decoder, name_prompt, dataset, evaluator)
    assert metrics['mask/mIoU'] > 80
    assert metrics['text_swap/accuracy'] > 90
