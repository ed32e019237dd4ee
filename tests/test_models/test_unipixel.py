import pytest
import torch

from unipixel_mm.datasets import unipixel_collate
from unipixel_mm.datasets.transforms import PackUniPixelInputs
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


def _text_only(ids, answer_from):
    """A packed text-only sample (LLaVA-665K) whose tokens from
    ``answer_from`` on are the supervised answer."""
    ids = torch.tensor(ids)
    labels = ids.clone()
    labels[:answer_from] = -100
    return PackUniPixelInputs()(
        dict(input_ids=ids, labels=labels, task='chat', prompt_type=None,
             seg_targets=False, sam2_size=128, entry='llava 1'))


def _packed_video(inputs, samples):
    """A ``make_batch`` sample as the pipeline packs it."""
    packed = _unbatch(inputs)
    if 'labels' in inputs:
        packed['labels'] = inputs['labels'][0]
    return dict(inputs=packed, data_samples=samples[0])


def test_text_only_and_mixed_batches_train(model_factory, batch_factory):
    model = model_factory().train()
    text = _text_only([1, 10, 11, 12, 13, 14, 2], answer_from=4)
    video = _packed_video(*batch_factory(model, points=1, segs=1,
                                         with_targets=True))

    def run(packed):
        data = model.data_preprocessor(unipixel_collate(packed), True)
        return data, model(**data, mode='loss')

    alone, losses = run([text])
    assert set(alone['inputs']) == {'input_ids', 'attention_mask', 'labels'}
    assert set(losses) == {'loss_lm'} and torch.isfinite(losses['loss_lm'])
    losses['loss_lm'].backward()
    params = dict(model.named_parameters())
    assert params['llm.lm_head.weight'].grad.abs().sum() > 0
    # a text-only batch leaves the visual modules without gradients
    # (find_unused_parameters in distributed training)
    for prefix in ('vision_tokenizer', 'prompt_encoder', 'memory_bank',
                   'mask_decoder', 'llm.seg_head'):
        assert all(p.grad is None for n, p in params.items()
                   if n.startswith(prefix)), prefix
    model.zero_grad()

    mixed, losses = run([text, video])
    assert set(losses) == {
        'loss_lm', 'loss_mask', 'loss_dice', 'loss_iou', 'loss_class'
    }
    assert all(torch.isfinite(v) for v in losses.values())
    # each row reads as it does alone: the text row has text positions,
    # the video row its patches
    with torch.no_grad():
        logits = model(mixed['inputs'], mixed['data_samples'], mode='tensor')
        length = len(text['inputs']['input_ids'])
        for row, packed in enumerate([text, video]):
            data = model.data_preprocessor(unipixel_collate([packed]), True)
            single = model(**data, mode='tensor')[0]
            assert torch.allclose(logits[row, :single.size(0)], single,
                                  atol=1e-5)
    assert (mixed['inputs']['attention_mask'][0, length:] == 0).all()


def test_greedy_generation_on_a_text_only_prompt(tiny_model, batch_factory):
    model = tiny_model
    prompt = [1, 10, 11, 12, 13]
    text = _text_only(prompt, answer_from=len(prompt))
    data = model.data_preprocessor(unipixel_collate([text]), False)
    result = model.generate(data['inputs'], data['data_samples'],
                            max_new_tokens=6)[0]
    # greedy decoding by hand: the argmax of a full forward, token by token
    ids = torch.tensor([prompt])
    with torch.no_grad():
        for _ in range(6):
            token = model(dict(input_ids=ids), mode='tensor')[0, -1].argmax()
            ids = torch.cat([ids, token.view(1, 1)], 1)
            if token == 2:
                break
    assert result.ids.tolist() == ids[0, len(prompt):].tolist()
    assert result.masks.shape == (0, 0, 0, 0)
    assert result.mask_scores.shape == (0, 0)
    # batched (left-padded) with a video sample: both as alone
    video = _packed_video(*batch_factory(model, points=1, segs=1))
    alone = model.data_preprocessor(unipixel_collate([video]), False)
    single = model.generate(alone['inputs'], alone['data_samples'],
                            max_new_tokens=6)[0]
    mixed = model.data_preprocessor(unipixel_collate([text, video]), False)
    assert mixed['inputs']['frames'][0] is None
    both = model.generate(mixed['inputs'], mixed['data_samples'],
                          max_new_tokens=6)
    assert torch.equal(both[0].ids[:result.ids.numel()], result.ids)
    # padded after its end of text when it ended first
    assert set(both[0].ids[result.ids.numel():].tolist()) <= {
        model.pad_token_id}
    assert torch.equal(both[1].ids, single.ids)
    assert torch.equal(both[1].masks, single.masks)
    preds = model(**mixed, mode='predict')
    assert preds[0].pred_masks == [] and preds[0].pred_mask_scores.numel() == 0
    assert len(preds[1].pred_masks) >= 1


def test_prompt_past_the_models_positions(model_factory, batch_factory):
    model = model_factory()
    inputs, samples = batch_factory(model, num_frames=2, segs=0)
    positions, _ = model.llm.rope_index(inputs['input_ids'], None, None,
                                        inputs['video_grid_thw'],
                                        inputs['second_per_grid_ts'])
    last = int(positions.max())  # the prompt's last position
    # the prompt itself does not fit: an error before anything is decoded
    limit = model.llm.config.max_position_embeddings
    model.llm.config.max_position_embeddings = last
    with pytest.raises(ValueError, match=rf'reaches position {last + 1} '
                       r'\(\d+ tokens\), past the \d+ positions'):
        model.generate(inputs, samples, max_new_tokens=4)
    model.llm.config.max_position_embeddings = limit
    # it fits with room for 3 new tokens: the answer is capped, with a
    # warning, instead of running past the positions
    free = model.generate(inputs, samples, max_new_tokens=8)[0].ids
    assert free.numel() > 3
    model.llm.config.max_position_embeddings = last + 4
    capped = model.generate(inputs, samples, max_new_tokens=8)[0].ids
    assert torch.equal(capped, free[:3])
