import numpy as np
import pytest
import torch

from unipixel_mm.datasets.transforms import (QwenVideoProcess, SAM2Resize,
                                             SampleObjects, SamplePrompts)
from unipixel_mm.datasets.transforms.processing import (SAM2_MEAN, SAM2_STD,
                                                        sample_box,
                                                        sample_point,
                                                        smart_resize)

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def test_smart_resize():
    big = 16384 * 28 * 28
    assert smart_resize(480, 640, 28, 3136, big) == (476, 644)
    assert smart_resize(56, 56, 28, 3136, 12544) == (56, 56)
    # too small: scaled up, rounding up
    assert smart_resize(30, 40, 28, 56 * 56, big) == (56, 84)
    # too large: scaled down, rounding down
    assert smart_resize(1000, 500, 28, 3136, 112 * 112) == (140, 56)
    with pytest.raises(ValueError, match='aspect ratio'):
        smart_resize(10, 3000)


def _constant_frames(colours, size):
    return np.stack([np.full((*size, 3), c, dtype=np.uint8) for c in colours])


def test_qwen_video_process(tiny_processor_dir):
    colours = [(255, 0, 0), (0, 255, 0), (10, 20, 30)]
    results = dict(frames=_constant_frames(colours, (56, 84)))
    transform = QwenVideoProcess(
        tiny_processor_dir, min_pixels=56 * 56, max_pixels=112 * 112,
        frame_budget=None)
    out = transform(results)
    assert out['qwen_size'] == (56, 84)
    assert out['video_grid_thw'].tolist() == [2, 4, 6]
    assert out['video_grid_thw'].dtype == torch.long
    pixels = out['pixel_values_videos']
    assert pixels.shape == (48, 1176) and pixels.dtype == torch.float32
    assert out['second_per_grid_ts'] == 1.0
    mean, std = torch.tensor(CLIP_MEAN), torch.tensor(CLIP_STD)
    # a row is (channel, frame of the pair, 14, 14); the odd last frame pairs
    # with itself
    for group, pair in ((0, (0, 1)), (1, (2, 2))):
        row = pixels[group * 24].view(3, 2, 196)
        for t, frame in enumerate(pair):
            expected = (torch.tensor(colours[frame]) / 255 - mean) / std
            assert torch.allclose(row[:, t], expected[:, None], atol=1e-5)


def test_qwen_video_process_resizes_within_the_budget(tiny_processor_dir):
    frames = _constant_frames([(1, 2, 3)] * 2, (100, 100))
    out = QwenVideoProcess(
        tiny_processor_dir, min_pixels=56 * 56, max_pixels=56 * 56,
        frame_budget=None, fps=1.0)(dict(frames=frames))
    assert out['qwen_size'] == (56, 56)
    assert out['video_grid_thw'].tolist() == [1, 4, 4]
    assert out['second_per_grid_ts'] == 2.0
    # two frames of a budget of eight get four times the pixels each
    out = QwenVideoProcess(
        tiny_processor_dir, min_pixels=56 * 56, max_pixels=56 * 56,
        frame_budget=8)(dict(frames=frames))
    assert out['qwen_size'] == (112, 112)
    assert 'frame_budget=8' in repr(QwenVideoProcess(tiny_processor_dir))


def test_qwen_video_process_samples_frames_for_the_llm_only(
        tiny_processor_dir):
    """The reference's segmentation evaluation: the LLM sees some frames,
    SAM2 all of them."""
    colours = [(20 * t, 0, 0) for t in range(6)]
    transform = QwenVideoProcess(
        tiny_processor_dir, min_pixels=56 * 56, max_pixels=56 * 56,
        frame_budget=None, num_frames=4)
    out = transform(dict(frames=_constant_frames(colours, (56, 56))))
    # uniform: 0, 5/3, 10/3, 5 rounded
    assert out['llm_frame_inds'] == [0, 2, 3, 5]
    assert out['video_grid_thw'].tolist() == [2, 4, 4]
    assert len(out['frames']) == 6  # SAM2 and the masks keep every frame
    mean, std = torch.tensor(CLIP_MEAN), torch.tensor(CLIP_STD)
    row = out['pixel_values_videos'][16].view(3, 2, 196)  # frames 3 and 5
    for t, frame in enumerate((3, 5)):
        expected = (torch.tensor(colours[frame]) / 255 - mean) / std
        assert torch.allclose(row[:, t], expected[:, None], atol=1e-5)
    # fewer frames than num_frames: all of them
    out = transform(dict(frames=_constant_frames(colours[:3], (56, 56))))
    assert out['llm_frame_inds'] == [0, 1, 2]
    with pytest.raises(ValueError, match='visual prompts need the same '
                       'frames for the LLM and SAM2'):
        transform(
            dict(
                frames=_constant_frames(colours, (56, 56)),
                prompt_type='point',
                entry='e1'))


def test_sam2_resize():
    frames = _constant_frames([(255, 0, 128)], (20, 30))
    masks = np.zeros((1, 1, 20, 30), dtype=bool)
    masks[0, 0, :10, :15] = True
    out = SAM2Resize(size=16)(dict(frames=frames, obj_masks=masks))
    assert out['sam2_frames'].shape == (1, 3, 16, 16)
    for c, value in enumerate((255, 0, 128)):
        expected = (value / 255 - SAM2_MEAN[c]) / SAM2_STD[c]
        assert torch.allclose(out['sam2_frames'][0, c],
                              torch.tensor(expected), atol=1e-5)
    sam2_masks = out['sam2_masks']
    assert sam2_masks.shape == (1, 1, 16, 16)
    assert sam2_masks.dtype == torch.bool
    assert sam2_masks[0, 0, :8, :8].all() and not sam2_masks[0, 0, 10:].any()
    assert out['sam2_size'] == 16
    out = SAM2Resize(size=16)(dict(frames=frames))
    assert out['sam2_masks'].shape == (1, 0, 16, 16)


def test_sample_point_and_box():
    np.random.seed(0)
    mask = torch.zeros(10, 12, dtype=torch.bool)
    mask[2:6, 3:8] = True
    for _ in range(20):
        x, y = sample_point(mask)[0].long().tolist()
        assert mask[y, x]
    assert sample_box(mask, noise=0).tolist() == [[3, 2], [7, 5]]
    for _ in range(20):
        box = sample_box(mask)
        # noise up to 10% of the box side (4 x 3 px)
        assert (box - torch.tensor([[3., 2.], [7., 5.]])).abs().max() <= 0.41
    full = torch.ones(10, 12, dtype=torch.bool)
    for _ in range(20):
        box = sample_box(full)
        assert box.min() >= 0
        assert box[:, 0].max() <= 11 and box[:, 1].max() <= 9


def _prompt_results(prompt_type, **kwargs):
    masks = torch.zeros(3, 2, 16, 16, dtype=torch.bool)
    masks[1, 0, 2:6, 3:8] = True
    masks[:, 1, 10:, 10:] = True
    results = dict(
        prompt_type=prompt_type,
        sam2_masks=masks,
        sam2_size=16,
        frame_size=(32, 64),
        frame_inds=[0, 4, 8],
        objects=[dict(), dict()],
        entry='videorefer 5')
    results.update(kwargs)
    return results


def test_sample_points_and_boxes():
    np.random.seed(0)
    out = SamplePrompts()(_prompt_results('point'))
    assert out['prompt_frames'][0] == 1
    assert [c.shape for c in out['prompt_coords']] == [(1, 2), (1, 2)]
    assert [label.tolist() for label in out['prompt_labels']] == [[1], [1]]
    x, y = out['prompt_coords'][0][0].long().tolist()
    assert 3 <= x < 8 and 2 <= y < 6
    out = SamplePrompts()(_prompt_results('box'))
    assert out['prompt_coords'][1].shape == (2, 2)
    assert out['prompt_labels'][1].tolist() == [2, 3]
    assert out['prompt_labels'][1].dtype == torch.long
    out = SamplePrompts()(_prompt_results(None))
    assert 'prompt_coords' not in out and 'prompt_masks' not in out


def test_given_prompts_are_scaled_and_checked():
    objects = [dict(prompt=dict(frame=4, point=[16, 8])),
               dict(prompt=dict(frame=8, box=[0, 0, 63, 31]))]
    out = SamplePrompts()(_prompt_results('box', objects=objects))
    assert out['prompt_frames'].tolist() == [1, 2]
    assert out['prompt_coords'][0].tolist() == [[4.0, 4.0]]
    assert out['prompt_coords'][1].tolist() == [[0.0, 0.0], [15.75, 15.5]]
    assert out['prompt_labels'][0].tolist() == [1]
    outside = [dict(prompt=dict(frame=4, point=[64, 8])), dict()]
    with pytest.raises(ValueError,
                       match=r'videorefer 5: object 0: prompt .* outside'):
        SamplePrompts()(_prompt_results('point', objects=outside))
    unsampled = [dict(prompt=dict(frame=5, point=[1, 1])), dict()]
    with pytest.raises(ValueError, match='frame 5 was not sampled'):
        SamplePrompts()(_prompt_results('point', objects=unsampled))
    empty = _prompt_results('point')
    empty['sam2_masks'][:, 0] = False
    with pytest.raises(ValueError, match='videorefer 5: object 0: empty'):
        SamplePrompts()(empty)


def test_mask_prompts_on_the_token_grid():
    # 3 frames of 112 x 168 px on a (2, 4, 6) patch grid of (2, 3) merged
    # tokens (the frames were halved for Qwen)
    masks = np.zeros((3, 2, 112, 168), dtype=bool)
    masks[2, 0, :52, :52] = True  # frame 3 only: second temporal group
    masks[0, 1, 80:, 140:] = True  # frame 1 only: first temporal group
    results = dict(
        prompt_type='mask',
        obj_masks=masks,
        video_grid_thw=torch.tensor([2, 4, 6]),
        entry='osprey 1')
    prompt = SamplePrompts()(results)['prompt_masks']
    assert prompt.shape == (2, 2, 2, 3) and prompt.dtype == torch.bool
    assert prompt[:, 0].nonzero().tolist() == [[1, 0, 0]]
    # the bottom-right token
    assert prompt[0, 1].nonzero().tolist() == [[1, 2]]
    assert not prompt[1, 1].any()
    results['obj_masks'] = np.zeros_like(masks)
    with pytest.raises(ValueError, match=r'osprey 1: empty mask prompt'):
        SamplePrompts()(results)


def test_sample_objects():
    turns = [dict(obj_inds=[2]), dict(obj_inds=[0, 2]), dict(obj_inds=[1])]
    objects = [dict(oid='a'), dict(oid='b'), dict(oid='c')]
    # one entry per special token: object c twice
    out = SampleObjects(max_turns=-1)(dict(turns=turns, objects=objects))
    assert [o['oid'] for o in out['objects']] == ['c', 'a', 'c', 'b']
    assert [t['obj_inds'] for t in out['turns']] == [[0], [1, 2], [3]]
    # mask prompts name every object once
    out = SampleObjects(max_turns=-1)(
        dict(turns=turns, objects=objects, prompt_type='mask'))
    assert [o['oid'] for o in out['objects']] == ['c', 'a', 'b']
    assert [t['obj_inds'] for t in out['turns']] == [[0], [1, 0], [2]]
    np.random.seed(1)
    seen = set()
    for _ in range(30):
        out = SampleObjects(max_turns=1)(dict(turns=turns, objects=objects))
        assert len(out['turns']) == 1
        assert out['turns'][0]['obj_inds'] == list(range(len(out['objects'])))
        seen.add(tuple(o['oid'] for o in out['objects']))
    assert seen == {('c', ), ('a', 'c'), ('b', )}
    assert SampleObjects(-1, max_objects=3)(
        dict(turns=turns, objects=objects)) is None
    with pytest.raises(ValueError, match='uses object 2'):
        SampleObjects()(dict(turns=[dict(obj_inds=[2])], objects=[{}]))


def test_text_only_samples_pass_the_processing_transforms(tiny_processor_dir):
    turns = [dict(question='Hi', answer='Hello.', obj_inds=[]),
             dict(question='Bye', answer='Bye.', obj_inds=[])]
    sample = dict(turns=turns, task='chat', prompt_type=None,
                  seg_targets=False, entry='llava 7')
    out = SampleObjects(max_turns=-1)(dict(sample))
    assert out == dict(sample, objects=[])
    np.random.seed(0)
    out = SampleObjects(max_turns=1)(dict(sample))
    assert len(out['turns']) == 1 and out['turns'][0] in turns
    for transform in (QwenVideoProcess(tiny_processor_dir), SamplePrompts()):
        assert transform(dict(sample)) == sample
    # no SAM2 frames or masks, only the side the data sample records
    assert SAM2Resize(size=16)(dict(sample)) == dict(sample, sam2_size=16)
