import pytest
import torch

from unipixel_mm.registry import MODELS


def test_forward_modes(tiny_model, batch_factory):
    model = tiny_model
    inputs, samples = batch_factory(
        model, points=1, boxes=1, mem_objects=1, segs=2)
    with torch.no_grad():
        logits = model(inputs, samples, mode='tensor')
    assert logits.shape == (1, inputs['input_ids'].size(1), 256)
    preds = model(inputs, samples, mode='predict')
    assert len(preds) == 1
    pred = preds[0]
    # two <|seg|> tokens in the prompt, max_new_tokens from generation_cfg
    assert len(pred.pred_masks) >= 2
    assert pred.pred_masks[0].shape == (2, 96, 80)
    assert pred.pred_masks[0].dtype == torch.bool
    assert pred.pred_mask_scores.shape[1] == 2
    assert 0 < pred.pred_ids.numel() <= 16
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(inputs, samples, mode='feat')


def test_loss_has_lm_and_mask_terms(model_factory, batch_factory):
    model = model_factory().train()
    inputs, samples = batch_factory(model, points=1, segs=2, with_targets=True)
    losses = model(inputs, samples, mode='loss')
    assert set(losses) == {
        'loss_lm', 'loss_mask', 'loss_dice', 'loss_iou', 'loss_class'
    }
    assert all(torch.isfinite(v) and v > 0 for v in losses.values())
    sum(losses.values()).backward()
    for name in ('llm.seg_head.3.weight', 'prompt_encoder.out_proj.1.weight',
                 'mask_decoder.sam2.sam_mask_decoder.iou_token.weight'):
        grad = dict(model.named_parameters())[name].grad
        assert grad is not None and grad.abs().sum() > 0, name


def test_sample_objects_limits_supervised_objects(model_factory,
                                                  batch_factory):
    model = model_factory(sample_objects=1).train()
    inputs, samples = batch_factory(model, points=0, segs=3, with_targets=True)
    calls = []
    decoder = model.mask_decoder
    original = decoder.loss_outputs

    def spy(frames, prompts, obj_to_frame):
        calls.append(prompts.size(0))
        return original(frames, prompts, obj_to_frame)

    decoder.loss_outputs = spy
    model(inputs, samples, mode='loss')
    assert calls == [1]


def test_child_config_without_temporal_prompt_embedding(
        model_factory, batch_factory):
    model = model_factory(
        prompt_encoder=dict(type='SAM2PromptEncoder', with_temporal=False))
    encoder = model.prompt_encoder
    assert not hasattr(encoder, 'temporal_pe')
    assert encoder.out_proj[1].in_features == 3 * 64
    inputs, samples = batch_factory(model, points=2, segs=1)
    with torch.no_grad():
        logits = model(inputs, samples, mode='tensor')
    assert torch.isfinite(logits).all()


def test_model_without_mask_decoder_chats(tiny_cfg, batch_factory):
    cfg = tiny_cfg
    cfg.update(mask_decoder=None, prompt_encoder=None, memory_bank=None)
    cfg['llm']['seg_embed_dim'] = 32
    model = MODELS.build(cfg).eval()
    inputs, samples = batch_factory(model, points=0, segs=1)
    inputs.pop('frames')
    result = model.generate(inputs, samples, max_new_tokens=3)[0]
    assert result.ids.numel() <= 3
    assert result.masks.shape == (0, 0, 0, 0)


def test_batched_generation_matches_single(tiny_model, batch_factory):
    model = tiny_model
    first = batch_factory(model, points=1, segs=1, seed=1)
    second = batch_factory(model, points=0, segs=0, seed=2)
    singles = [
        model.generate(i, s, max_new_tokens=5)[0] for i, s in (first, second)
    ]
    batch = model.data_preprocessor(
        dict(
            inputs=[_unbatch(first[0]),
                    _unbatch(second[0])],
            data_samples=first[1] + second[1]),
        training=False)
    results = model.generate(
        batch['inputs'], batch['data_samples'], max_new_tokens=5)
    for single, batched in zip(singles, results):
        assert torch.equal(single.ids, batched.ids)
        assert torch.equal(single.masks, batched.masks)


def _unbatch(inputs: dict) -> dict:
    out = {
        k: v[0]
        for k, v in inputs.items()
        if k in ('input_ids', 'video_grid_thw', 'frames')
    }
    out['pixel_values_videos'] = inputs['pixel_values_videos']
    out['second_per_grid_ts'] = float(inputs['second_per_grid_ts'][0])
    return out


def test_half_precision_keeps_sam2_in_float32(model_factory, batch_factory):
    model = model_factory().to(torch.bfloat16)
    assert model.llm.lm_head.weight.dtype == torch.bfloat16
    assert model.mask_decoder.sam2.no_mem_embed.dtype == torch.float32
    assert model.prompt_encoder.point_proj.weight.dtype == torch.float32
    inputs, samples = batch_factory(model, points=1, mem_objects=1, segs=1)
    with torch.no_grad():
        logits = model(inputs, samples, mode='tensor')
        result = model.generate(inputs, samples, max_new_tokens=2)[0]
    assert logits.dtype == torch.bfloat16
    assert result.masks.shape[1:] == (2, 96, 80)


def test_generation_with_and_without_cache_agree(tiny_model, batch_factory):
    inputs, samples = batch_factory(tiny_model, points=1, mem_objects=1)
    cached = tiny_model.generate(inputs, samples, max_new_tokens=6)[0]
    plain = tiny_model.generate(
        inputs, samples, max_new_tokens=6, use_cache=False)[0]
    assert torch.equal(cached.ids, plain.ids)
    assert torch.equal(cached.masks, plain.masks)


def test_sampling_is_seeded(tiny_model, batch_factory):
    inputs, samples = batch_factory(tiny_model, points=1)
    runs = []
    for _ in range(2):
        torch.manual_seed(3)
        runs.append(
            tiny_model.generate(
                inputs, samples, max_new_tokens=6, do_sample=True,
                temperature=1.5, top_k=50, top_p=0.9)[0].ids)
    assert torch.equal(runs[0], runs[1])
    assert runs[0].numel() > 0


def test_samples_without_seg_targets_only_train_the_lm(
        model_factory, batch_factory):
    model = model_factory().train()
    inputs, samples = batch_factory(model, points=1, segs=0,
                                    with_targets=True)
    assert samples[0].gt_masks.shape[1] == 0
    losses = model(inputs, samples, mode='loss')
    assert set(losses) == {'loss_lm'}
