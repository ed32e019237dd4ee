"""Precision policies and SAM2's memory over clips longer than its window."""
import pytest
import torch

from unipixel_mm.models.utils import apply_precision, check_precision


def test_policies_decide_what_a_cast_reaches(model_factory):
    model = model_factory()
    apply_precision(model, 'sam2_float32')
    model.to(torch.bfloat16)
    assert model.llm.lm_head.weight.dtype == torch.bfloat16
    assert model.mask_decoder.sam2.obj_ptr_proj.layers[0].weight.dtype == \
        torch.float32
    assert model.prompt_encoder.point_proj.weight.dtype == torch.float32
    apply_precision(model, 'reference')
    model.to(torch.bfloat16)
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}
    with pytest.raises(ValueError, match='Unknown precision policy'):
        check_precision('fp8')


def test_model_options_cast_at_build(model_factory):
    model = model_factory(precision='reference', dtype='bfloat16')
    assert model.precision == 'reference'
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}


def test_reference_policy_runs_sam2_in_bfloat16(model_factory):
    model = model_factory(precision='reference', dtype='bfloat16').eval()
    decoder = model.mask_decoder
    torch.manual_seed(0)
    frames = torch.randn(3, 3, decoder.image_size, decoder.image_size)
    prompts = torch.randn(2, 2, decoder.embed_dim, dtype=torch.bfloat16)
    masks, scores = decoder.predict(frames, prompts, (40, 30))
    assert masks.shape == (2, 3, 40, 30) and masks.dtype == torch.bool
    assert torch.isfinite(scores).all()
    feats, pos, _ = decoder.encode_frames(frames[:1])
    assert {x.dtype for x in feats + pos} == {torch.bfloat16}
    # the point / box prompt encoder also computes in bfloat16
    ref = model.prompt_encoder([torch.tensor([[10., 20.]])],
                               [torch.tensor([1])], torch.tensor([0]), 2)
    assert ref.dtype == torch.bfloat16 and torch.isfinite(ref).all()


def _memory_sizes(decoder, num_frames, monkeypatch):
    """Masks of a ``num_frames`` clip and the number of non-conditioning
    memories the tracker held at each frame."""
    sam = decoder.sam2
    original = sam._prepare_memory_conditioned_features
    held = []

    def spy(*args, **kwargs):
        held.append(len(kwargs['output_dict']['non_cond_frame_outputs']))
        return original(*args, **kwargs)

    monkeypatch.setattr(sam, '_prepare_memory_conditioned_features', spy)
    torch.manual_seed(0)
    frames = torch.randn(num_frames, 3, decoder.image_size,
                         decoder.image_size)
    prompts = torch.randn(2, 2, decoder.embed_dim)
    masks, scores = decoder.predict(frames, prompts, (32, 32))
    monkeypatch.setattr(sam, '_prepare_memory_conditioned_features',
                        original)
    return masks, scores, held


def test_memory_pruning_on_a_long_clip(tiny_model, monkeypatch):
    decoder = tiny_model.eval().mask_decoder
    window = decoder._memory_window()
    num_frames = window + 6
    masks, scores, held = _memory_sizes(decoder, num_frames, monkeypatch)
    # frame t sees the t - 1 earlier non-conditioning frames, at most the
    # window's worth: older memories are dropped
    assert num_frames > window + 1
    assert held == [max(0, min(t - 1, window)) for t in range(num_frames)]
    # ... and dropping them changes nothing: SAM2 never reads that far back
    monkeypatch.setattr(decoder, '_memory_window', lambda: 10 * num_frames)
    full_masks, full_scores, full_held = _memory_sizes(
        decoder, num_frames, monkeypatch)
    assert full_held[-1] == num_frames - 2
    assert torch.equal(masks, full_masks)
    assert torch.equal(scores, full_scores)
