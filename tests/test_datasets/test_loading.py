import re

import numpy as np
import pytest
import torch
from PIL import Image

from unipixel_mm.datasets.transforms import LoadFrames, LoadObjectMasks
from unipixel_mm.datasets.transforms.loading import (decode_mask, has_medium,
                                                     keep_required,
                                                     list_frame_files,
                                                     resize_masks,
                                                     sample_frame_inds,
                                                     text_only)
from unipixel_mm.registry import TRANSFORMS

mask_utils = pytest.importorskip('pycocotools.mask')


def test_uniform_sampling_matches_the_reference_rule():
    assert sample_frame_inds(10, 4) == [0, 3, 6, 9]
    assert sample_frame_inds(3, 8) == [0, 1, 2]
    assert sample_frame_inds(5, -1) == [0, 1, 2, 3, 4]
    for total in range(9, 60, 7):
        for num in (2, 4, 8):
            # the reference: np.arange(0, n, (n - 1) / (k - 1))[:k].round()
            ref = np.arange(0, total, (total - 1) / (num - 1))[:num]
            assert sample_frame_inds(total, num) == ref.round().astype(
                int).tolist()


def test_required_frames_replace_the_nearest_free_frame():
    # frame 4 replaces 3 (its nearest); 5 is nearest to the required 4 and
    # so replaces 6, the nearest frame not required
    assert keep_required([0, 3, 6, 9], 10, 4) == [0, 4, 6, 9]
    assert keep_required([0, 3, 6, 9], 10, [4, 5]) == [0, 4, 5, 9]
    assert keep_required([0, 3, 6, 9], 10, [3, 3]) == [0, 3, 6, 9]
    frames = np.arange(10)[:, None, None, None].repeat(3, -1).astype(np.uint8)
    out = LoadFrames(num_frames=4)(
        dict(frames=frames, required_frame=[4, 5]))
    assert out['frame_inds'] == [0, 4, 5, 9]
    assert out['frames'][:, 0, 0, 0].tolist() == [0, 4, 5, 9]
    with pytest.raises(ValueError, match=r'3 frames are required'):
        keep_required([0, 9], 10, [2, 4, 5])
    with pytest.raises(ValueError, match='out of range'):
        keep_required([0, 9], 10, 10)


def test_random_sampling_takes_one_frame_per_segment():
    np.random.seed(0)
    for _ in range(20):
        inds = sample_frame_inds(20, 4, 'random')
        assert len(inds) == 4 and inds == sorted(inds)
        edges = np.linspace(0, 19, 5).round().astype(int)
        assert all(s <= i < max(s + 1, e)
                   for i, s, e in zip(inds, edges[:-1], edges[1:]))


def _write_frames(folder, num, size=(20, 30)):
    folder.mkdir()
    for i in range(num):
        img = np.full((*size, 3), 10 * i, dtype=np.uint8)
        Image.fromarray(img).save(folder / f'frame_{i}.png')
    return folder


def test_load_frames_from_memory_image_folder_and_list(tmp_path):
    frames = np.arange(5)[:, None, None, None].repeat(4, 1).repeat(
        6, 2).repeat(3, 3).astype(np.uint8)
    out = LoadFrames(num_frames=3)(dict(frames=frames))
    assert out['frame_inds'] == [0, 2, 4]
    assert out['frames'][:, 0, 0, 0].tolist() == [0, 2, 4]
    assert out['frame_size'] == (4, 6)

    folder = _write_frames(tmp_path / 'vid', 11)
    # names sort by their number: frame_10 comes last
    assert list_frame_files(str(folder))[-1].endswith('frame_10.png')
    out = LoadFrames(num_frames=3)(dict(video_path=str(folder)))
    assert out['frame_inds'] == [0, 5, 10]
    assert out['frames'][:, 0, 0, 0].tolist() == [0, 50, 100]
    out = LoadFrames()(
        dict(video_path=str(folder), candidate_frame_inds=[2, 4]))
    with pytest.warns(DeprecationWarning, match="'frame_ids' is now"):
        old = LoadFrames()(dict(video_path=str(folder), frame_ids=[2, 4]))
    assert np.array_equal(old['frames'], out['frames'])
    assert out['frames'][:, 0, 0, 0].tolist() == [20, 40]

    paths = [str(folder / f'frame_{i}.png') for i in (1, 3)]
    out = LoadFrames()(dict(frame_paths=paths))
    assert out['frames'].shape == (2, 20, 30, 3)
    out = LoadFrames()(dict(img_path=paths[1]))
    assert out['frames'].shape == (1, 20, 30, 3) and out['frame_inds'] == [0]
    assert repr(LoadFrames(4)) == (
        "LoadFrames(num_frames=4, sample_type='uniform', fps=2.0, "
        "min_frames=4, max_frames=16, backend='auto')")


def test_load_frames_from_video_file(tmp_path):
    av = pytest.importorskip('av')
    path = str(tmp_path / 'clip.mp4')
    with av.open(path, 'w') as container:
        stream = container.add_stream('mpeg4', rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 48, 'yuv420p'
        for i in range(7):
            frame = np.full((48, 64, 3), 30 * i, dtype=np.uint8)
            for packet in stream.encode(
                    av.VideoFrame.from_ndarray(frame, format='rgb24')):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    out = LoadFrames(num_frames=3, backend='pyav')(dict(video_path=path))
    assert out['frame_inds'] == [0, 3, 6]
    assert out['frames'].shape == (3, 48, 64, 3)
    # lossy codec: grey levels 0, 90, 180 within a few steps
    assert np.allclose(out['frames'].mean(axis=(1, 2, 3)), [0, 90, 180],
                       atol=3)


def test_missing_files_name_the_file_and_entry(tmp_path):
    missing = str(tmp_path / 'nope.jpg')
    with pytest.raises(FileNotFoundError, match='refcoco sent 7.*nope.jpg'):
        LoadFrames()(dict(img_path=missing, entry='refcoco sent 7'))
    folder = _write_frames(tmp_path / 'v', 2)
    paths = [str(folder / 'frame_0.png'), missing]
    with pytest.raises(FileNotFoundError, match='mevis 3.*nope.jpg'):
        LoadFrames()(dict(frame_paths=paths, entry='mevis 3'))
    with pytest.raises(FileNotFoundError, match='clip.mp4'):
        LoadFrames()(dict(video_path=str(tmp_path / 'clip.mp4')))


def test_decode_mask_formats(tmp_path):
    size = (10, 12)
    square = np.zeros(size, dtype=bool)
    square[2:6, 3:8] = True
    rle = mask_utils.encode(np.asfortranarray(square.astype(np.uint8)))
    assert (decode_mask(rle, size) == square).all()
    # the JSON form: counts as str
    rle_json = dict(size=rle['size'], counts=rle['counts'].decode())
    assert (decode_mask(rle_json, size) == square).all()
    # uncompressed RLE (column-major run lengths)
    flat = square.flatten(order='F').astype(int)
    runs = np.diff(np.flatnonzero(np.diff(np.r_[-1, flat, -1]))).tolist()
    if flat[0] == 1:
        runs = [0] + runs
    assert (decode_mask(dict(size=list(size), counts=runs), size) ==
            square).all()
    # a COCO polygon: pycocotools fills the pixels it covers
    poly = [3, 2, 8, 2, 8, 6, 3, 6]
    assert decode_mask(poly, size).sum() == decode_mask([poly], size).sum()
    assert decode_mask([poly], size)[3:5, 4:7].all()
    # an index PNG
    label = np.zeros(size, dtype=np.uint8)
    label[0, 0], label[9, 11] = 3, 5
    Image.fromarray(label).save(tmp_path / 'm.png')
    png = decode_mask(dict(path=str(tmp_path / 'm.png'), ids=[3, 5]), size)
    assert png.sum() == 2 and png[0, 0] and png[9, 11]
    # union of parts; None is empty
    both = decode_mask([rle, None, dict(path=str(tmp_path / 'm.png'),
                                        ids=[3])], size)
    assert both.sum() == square.sum() + 1
    assert not decode_mask(None, size).any()
    assert not decode_mask([], size).any()
    # another size is resized to the frame: bilinear (antialiased) then > 0,
    # as the reference, which grows the mask by a pixel
    big = decode_mask(np.kron(square, np.ones((2, 2))), size)
    assert big[1:7, 2:9].all() and big.sum() == 6 * 7
    with pytest.raises(TypeError, match='unknown mask annotation'):
        decode_mask('oops', size)
    with pytest.raises(ValueError, match='polygon'):
        decode_mask([[1, 2, 3, 4]], size)


def test_resize_masks_is_bilinear_then_positive():
    mask = torch.zeros(1, 8, 8, dtype=torch.bool)
    mask[0, 0, 0] = True
    out = resize_masks(mask, (4, 4))
    assert out.shape == (1, 4, 4) and out[0, 0, 0] and out.sum() == 1
    assert resize_masks(torch.zeros(2, 0, 5, 5), (3, 3)).shape == (2, 0, 3, 3)


def _sample(masks, **kwargs):
    frames = np.zeros((len(masks[0]), 10, 12, 3), dtype=np.uint8)
    results = dict(frames=frames, objects=[dict(masks=m) for m in masks])
    results.update(kwargs)
    return LoadFrames()(results)


def test_load_object_masks():
    square = np.zeros((10, 12), dtype=bool)
    square[2:6, 3:8] = True
    out = LoadObjectMasks()(_sample([[square, None], [None, ~square]]))
    masks = out['obj_masks']
    assert masks.shape == (2, 2, 10, 12) and masks.dtype == bool
    assert masks[0, 0].sum() == 20 and not masks[1, 0].any()
    assert masks[1, 1].sum() == 100 and not masks[0, 1].any()


def test_load_object_masks_errors_name_the_entry():
    square = np.ones((10, 12), dtype=bool)
    with pytest.raises(ValueError, match=r'ovis 9: empty mask .*\[1\]'):
        LoadObjectMasks()(_sample([[square], [None]], entry='ovis 9',
                                  prompt_type='point'))
    with pytest.raises(TypeError, match='ovis 9: object 0, frame 0'):
        LoadObjectMasks()(_sample([['bad']], entry='ovis 9'))
    with pytest.raises(ValueError, match='ovis 9: object 0 has 1 mask'):
        LoadObjectMasks()(_sample([[square]], entry='ovis 9',
                                  frames=np.zeros((2, 10, 12, 3), np.uint8)))
    # a segmentation target absent from the sampled frames is only logged
    out = LoadObjectMasks()(_sample([[None]], entry='ovis 9'))
    assert not out['obj_masks'].any()


def text_sample(**kwargs) -> dict:
    """A text-only conversation as the LLaVA data set formats it."""
    results = dict(
        turns=[dict(question='Hi', answer='Hello.', obj_inds=[])],
        task='chat',
        prompt_type=None,
        seg_targets=False,
        source='llava_instruct_665k',
        entry='llava 7',
        sample_idx=4)
    results.update(kwargs)
    return results


def test_text_only_samples_pass_the_loading_transforms():
    assert text_only(text_sample()) and not has_medium(text_sample())
    for medium in (dict(img_path='a.jpg'), dict(video_path='v.mp4'),
                   dict(frame_paths=['0.jpg']),
                   dict(frames=np.zeros((1, 2, 2, 3), np.uint8))):
        assert has_medium(medium) and not text_only(text_sample(**medium))
    # empty sources are none
    assert not has_medium(dict(img_path='', frame_paths=[], frames=None))
    for transform in (LoadFrames(num_frames=4), LoadObjectMasks()):
        assert transform(text_sample()) == text_sample()


@pytest.mark.parametrize('kwargs,need', [
    (dict(objects=[dict(masks=[None])]), '1 object(s)'),
    (dict(prompt_type='mask'), "prompt_type='mask'"),
    (dict(seg_targets=True), 'segmentation targets'),
    (dict(task='seg'), "task='seg'"),
])
def test_text_only_samples_that_need_a_medium_fail(kwargs, need,
                                                   pipeline_factory):
    message = re.escape('llava 7: no image or video (frames, img_path, '
                        'frame_paths or video_path) but the sample needs '
                        f'one for its {need}')
    with pytest.raises(ValueError, match=message):
        text_only(text_sample(**kwargs))
    # every transform of the pipeline that reads a visual input refuses it
    for step in pipeline_factory():
        if step['type'] == 'SampleObjects':  # samples turns only
            continue
        with pytest.raises(ValueError, match=message):
            TRANSFORMS.build(step)(text_sample(**kwargs))


@pytest.mark.parametrize(
    'num_total, video_fps, inds, sample_fps',
    [
        # 10 s at 30 fps: 20 frames at 2 fps, capped at 16; 299 / 15 apart
        (300, 30, [0, 20, 40, 60, 80, 100, 120, 140, 159, 179, 199, 219, 239,
                   259, 279, 299], 1.6),
        # 3 s at 25 fps: 6 frames, 14.8 apart
        (75, 25, [0, 15, 30, 44, 59, 74], 2.0),
        # 3.5 s at 10 fps: 7 frames rounded down to an even 6
        (35, 10, [0, 7, 14, 20, 27, 34], 6 / 35 * 10),
        # 0.25 s at 24 fps: the least 4 frames
        (6, 24, [0, 2, 3, 5], 16.0),
    ])
def test_fps_frame_inds(num_total, video_fps, inds, sample_fps):
    """qwen_vl_utils' fps rule with the reference's MVBench / Video-MME
    options (2 fps, 4 to 16 frames)."""
    from unipixel_mm.datasets.transforms.loading import fps_frame_inds
    got, fps = fps_frame_inds(num_total, video_fps)
    assert got == inds
    assert fps == pytest.approx(sample_fps)
    # second_per_grid_ts = temporal patch size / sampled fps
    assert 2 / fps == pytest.approx(2 / sample_fps)


def test_stride_frame_inds():
    """MVBench's frame folders: every n // 31-th frame, at most 32."""
    from unipixel_mm.datasets.transforms.loading import stride_frame_inds
    assert stride_frame_inds(100) == list(range(0, 94, 3))
    assert len(stride_frame_inds(100)) == 32
    assert stride_frame_inds(62) == list(range(0, 62, 2))
    # fewer than 31 frames (the reference's stride would be 0): all
    assert stride_frame_inds(5) == [0, 1, 2, 3, 4]


def test_load_frames_fps_rule_needs_a_frame_rate():
    from unipixel_mm.datasets.transforms import LoadFrames
    frames = np.zeros((6, 4, 4, 3), np.uint8)
    step = LoadFrames(sample_type='fps')
    out = step(dict(frames=frames, video_fps=24.0))
    assert out['frame_inds'] == [0, 2, 3, 5] and out['sample_fps'] == 16.0
    with pytest.raises(ValueError, match='video_fps'):
        step(dict(frames=frames))
