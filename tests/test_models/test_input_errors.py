"""Bad inputs get an error that names the problem."""
import pytest
import torch


def test_ref_count_differs_from_prompts(tiny_model, batch_factory):
    inputs, samples = batch_factory(tiny_model, points=2)
    samples[0].prompt_coords = samples[0].prompt_coords[:1]
    samples[0].prompt_labels = samples[0].prompt_labels[:1]
    samples[0].prompt_frames = samples[0].prompt_frames[:1]
    with pytest.raises(ValueError, match='2 <\\|ref\\|> tokens but 1'):
        tiny_model(inputs, samples, mode='tensor')


def test_point_outside_frame(tiny_model, batch_factory):
    inputs, samples = batch_factory(tiny_model, points=1)
    samples[0].prompt_coords = [torch.tensor([[200.0, 10.0]])]
    with pytest.raises(ValueError, match='outside the 128x128 SAM2 frame'):
        tiny_model(inputs, samples, mode='tensor')


def test_mask_prompt_of_wrong_grid(tiny_model, batch_factory):
    inputs, samples = batch_factory(tiny_model, points=0, mem_objects=1)
    samples[0].prompt_masks = torch.ones(1, 1, 3, 3, dtype=torch.bool)
    with pytest.raises(ValueError, match='<\\|mem\\|>|visual token grid'):
        tiny_model(inputs, samples, mode='tensor')
    masks = torch.zeros(1, 1, 3, 3, dtype=torch.bool)
    masks[0, 0, 0, :2] = True  # two tokens like the prompt, wrong grid
    samples[0].prompt_masks = masks
    with pytest.raises(ValueError, match='visual token grid is \\(1, 2, 2\\)'):
        tiny_model(inputs, samples, mode='tensor')


def test_mem_count_differs_from_mask_prompt(tiny_model, batch_factory):
    inputs, samples = batch_factory(tiny_model, points=0, mem_objects=1)
    samples[0].prompt_masks = torch.zeros_like(samples[0].prompt_masks)
    with pytest.raises(ValueError, match='<\\|mem\\|> tokens but its mask'):
        tiny_model(inputs, samples, mode='tensor')


def test_video_tokens_without_pixels(tiny_model, batch_factory):
    inputs, samples = batch_factory(tiny_model, points=0)
    inputs.pop('pixel_values_videos')
    with pytest.raises(ValueError, match='no "pixel_values_videos"'):
        tiny_model(inputs, samples, mode='tensor')


def test_seg_count_differs_from_targets(model_factory, batch_factory):
    model = model_factory().train()
    inputs, samples = batch_factory(model, points=0, segs=2, with_targets=True)
    samples[0].gt_masks = samples[0].gt_masks[:, :1]
    with pytest.raises(ValueError, match='2 <\\|seg\\|> tokens but 1 target'):
        model(inputs, samples, mode='loss')


def test_loss_without_labels(tiny_model, batch_factory):
    inputs, samples = batch_factory(tiny_model)
    with pytest.raises(KeyError, match='labels'):
        tiny_model(inputs, samples, mode='loss')


def test_mask_prompts_without_memory_bank(model_factory, batch_factory):
    model = model_factory(memory_bank=None)
    inputs, samples = batch_factory(model, points=0, mem_objects=1)
    with pytest.raises(ValueError, match='has mask prompts but the model has '
                       'no memory bank'):
        model(inputs, samples, mode='tensor')
