"""The reference recipe's stage configs (3B / 7B, on the meta device): what
trains, LoRA, per-module learning rates; strategy and ablation configs."""
import os.path as osp

import pytest
import torch
from accelerate import init_empty_weights
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from unipixel_mm.registry import MODELS

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')
# the reference's tuning_modules, by the modules of the modular model
STAGE_MODULES = {
    1: {
        'prompt_encoder.point_proj', 'prompt_encoder.box_proj',
        'prompt_encoder.temporal_embed', 'prompt_encoder.temporal_proj',
        'prompt_encoder.out_proj'
    },
    2: {'llm.seg_head'},
    3: {
        'llm.model', 'llm.lm_head', 'prompt_encoder', 'memory_bank',
        'llm.seg_head', 'mask_decoder'
    },
}
# LoRA on q/k/v/o of each LLM layer and qkv/proj of each of the 32 ViT
# blocks
LORA_LAYERS = {'3b': 36 * 4 + 32 * 2, '7b': 28 * 4 + 32 * 2}


def build_meta(path):
    cfg = Config.fromfile(osp.join(CONFIGS, path))
    with init_empty_weights():
        model = MODELS.build(cfg.model)
    model.llm.tie_weights()
    return cfg, model


def module_of(name, stage):
    """The trainable unit a parameter belongs to, as in STAGE_MODULES."""
    parts = name.split('.')
    if parts[0] == 'llm' or (stage == 1 and parts[0] == 'prompt_encoder'):
        return '.'.join(parts[:2])
    return parts[0]


@pytest.mark.parametrize('size', ['3b', '7b'])
@pytest.mark.parametrize('stage', [1, 2, 3])
def test_stage_trains_the_reference_modules(size, stage):
    cfg, model = build_meta(f'unipixel_{size}_stage{stage}.py')
    params = dict(model.named_parameters(remove_duplicate=False))
    names = {n for n, p in params.items() if p.requires_grad}
    lora = {n for n in names if '.lora_' in n}
    full = names - lora
    expected = STAGE_MODULES[stage]
    if stage == 3:
        # the LLM trains its embeddings (and LoRA) only
        assert {n for n in full if n.startswith('llm.model.')
                } == {'llm.model.embed_tokens.weight'}
        assert {module_of(n, stage) for n in full} == expected
        assert len(lora) == 2 * LORA_LAYERS[size]
        assert all(p.shape[0] == 128 or p.shape[1] == 128
                   for n, p in params.items() if n in lora)
        assert all(('.layers.' in n and 'self_attn' in n) or '.attn.' in n
                   for n in lora)
    else:
        assert not lora
        assert {module_of(n, stage) for n in full} == expected
    # whole units train, nothing frozen inside them
    assert all(p.requires_grad for n, p in params.items()
               if module_of(n, stage) in expected
               and not n.startswith('llm.model.'))
    assert model.llm.model.gradient_checkpointing
    assert cfg.model.get('partial_checkpoints', []) == ([
        f'work_dirs/unipixel_{size}_stage1/epoch_1.pth',
        f'work_dirs/unipixel_{size}_stage2/epoch_1.pth'
    ] if stage == 3 else [])
    assert dict(type='SaveTrainableParamsHook') in cfg.custom_hooks


@pytest.mark.parametrize('stage,lr,sam2_lr,accumulate', [
    (1, 1e-3, 1e-3, 32),
    (2, 1e-3, 1e-3, 32),
    (3, 2e-5, 5e-6, 4),
])
def test_stage_learning_rates(stage, lr, sam2_lr, accumulate):
    cfg, model = build_meta(f'unipixel_3b_stage{stage}.py')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.optim_wrapper.accumulative_counts == accumulate
    # AmpOptimWrapper needs a GPU: the groups are the constructor's
    amp = cfg.optim_wrapper.copy()
    amp.pop('dtype')
    wrapper = build_optim_wrapper(model, dict(amp, type='OptimWrapper'))
    lrs = {}
    ids = {id(p): n for n, p in model.named_parameters()}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            lrs[ids[id(p)]] = group['lr']
    assert {lr for n, lr in lrs.items()
            if n.startswith('mask_decoder')} == {sam2_lr}
    assert {lr for n, lr in lrs.items()
            if not n.startswith('mask_decoder')} == {lr}


@pytest.mark.parametrize('name', [
    f'unipixel_{size}_stage{stage}.py' for size in ('3b', '7b')
    for stage in (1, 2, 3)
] + ['unipixel_3b_custom.py'])
def test_ddp_runs_find_unused_parameters(name):
    # a rank's batch may use no vision encoder (text-only chat), prompt
    # encoder, memory bank or SAM2 while another rank's does
    cfg = Config.fromfile(osp.join(CONFIGS, name))
    assert 'runner_type' not in cfg and 'model_wrapper_cfg' not in cfg
    assert cfg.find_unused_parameters is True


def test_unipixel_configs_are_the_last_stage():
    for size in ('3b', '7b'):
        last = Config.fromfile(osp.join(CONFIGS, f'unipixel_{size}.py'))
        stage3 = Config.fromfile(
            osp.join(CONFIGS, f'unipixel_{size}_stage3.py'))
        assert last.model == stage3.model
        assert last.optim_wrapper == stage3.optim_wrapper
        assert last.train_dataloader == stage3.train_dataloader


def test_ablations_of_the_7b_recipe():
    _, model = build_meta(osp.join('ablations',
                                   'unipixel_7b_no_memory_bank.py'))
    assert model.memory_bank is None
    _, model = build_meta(
        osp.join('ablations', 'unipixel_7b_no_temporal_prompt.py'))
    assert not model.prompt_encoder.with_temporal
    assert model.prompt_encoder.out_proj[1].weight.requires_grad
    _, model = build_meta(osp.join('ablations', 'unipixel_7b_frozen_sam2.py'))
    assert not any(p.requires_grad for p in model.mask_decoder.parameters())
    assert model.llm.seg_head[3].weight.requires_grad


@pytest.mark.parametrize('name', [
    'unipixel_tiny_no_memory_bank', 'unipixel_tiny_no_temporal_prompt',
    'unipixel_tiny_trained_sam2'
])
def test_tiny_ablations_train(name, batch_factory):
    cfg = Config.fromfile(osp.join(CONFIGS, 'ablations', f'{name}.py'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    inputs, samples = batch_factory(
        model,
        points=1,
        mem_objects=0 if model.memory_bank is None else 1,
        segs=1,
        with_targets=True)
    losses = model(inputs, samples, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    sam2 = model.mask_decoder.sam2.sam_mask_decoder.iou_token.weight
    # the tiny default keeps its pretrained SAM2 frozen
    assert (sam2.grad is None) == (name != 'unipixel_tiny_trained_sam2')
    assert model.llm.seg_head[3].weight.grad.abs().sum() > 0


def test_tiny_ablation_without_memory_bank_trains_on_its_data(
        tmp_path, monkeypatch):
    """Packed samples always carry a prompt_masks field (empty without
    mask prompts): a model without a memory bank trains on them."""
    from unipixel_mm.datasets import unipixel_collate
    monkeypatch.chdir(tmp_path)  # the config writes data/tiny_processor
    from unipixel_mm.registry import DATASETS
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'ablations', 'unipixel_tiny_no_memory_bank.py'))
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    batch = unipixel_collate([dataset[0], dataset[1]])
    assert batch['data_samples'][0].prompt_masks.size(1) == 0
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    assert set(losses) >= {'loss_lm', 'loss_mask'}
    assert all(torch.isfinite(v) for v in losses.values())


@pytest.mark.parametrize('name, task, metrics', [
    ('unipixel_tiny_pointing', 'mem',
     {'mask/mIoU', 'mask/cIoU', 'text_swap/accuracy',
      'text_swap/pick_accuracy'}),
    ('unipixel_tiny_region_qa', 'region', {'answer/accuracy'}),
])
def test_tiny_pixelqa_ablations_validate_their_form(name, task, metrics,
                                                    tmp_path, monkeypatch):
    """Each pass of PixelQA alone: trained and validated on its form, the
    answers generated and scored."""
    from mmengine.registry import init_default_scope

    from unipixel_mm.datasets import unipixel_collate
    from unipixel_mm.registry import DATASETS, METRICS
    monkeypatch.chdir(tmp_path)  # the config writes data/tiny_processor
    init_default_scope('unipixel_mm')
    cfg = Config.fromfile(osp.join(CONFIGS, 'ablations', f'{name}.py'))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.tasks == (task, )
    dataset = DATASETS.build(dict(cfg.val_dataloader.dataset, num_samples=2))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    evaluator = [METRICS.build(m) for m in cfg.val_evaluator]
    # the object is given by a point / box, or by its mask
    token = model.ref_token_id if task == 'mem' else model.mem_token_id
    for i in range(len(dataset)):
        batch = unipixel_collate([dataset[i]])
        assert (batch['inputs'][0]['input_ids'] == token).any()
        assert batch['data_samples'][0].gt_answer is not None
        with torch.no_grad():
            outputs = model.test_step(batch)
        if task == 'region':
            assert isinstance(outputs[0].pred_text, str)
        for metric in evaluator:
            metric.process(None, [o.to_dict() for o in outputs])
    scores = {}
    for metric in evaluator:
        scores.update(metric.evaluate(len(dataset)))
    assert set(scores) == metrics
    assert all(0 <= v <= 100 for v in scores.values())
