"""The demo page's logic without a browser: media, clicks, drawing,
answers, and messages for bad input."""
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch
from pycocotools import mask as mask_utils
from tool_module import ROOT

from unipixel_mm.apis import demo
from unipixel_mm.apis.inference import check_model_files, config_processor
from unipixel_mm.visualization import blend, object_color


def write_video(path, frames):
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 4,
                             (width, height))
    for frame in frames:
        writer.write(frame[..., ::-1])
    writer.release()


@pytest.fixture
def image(tmp_path):
    path = str(tmp_path / 'photo.png')
    pixels = np.zeros((40, 48, 3), np.uint8)
    pixels[8:30, 10:36] = (40, 200, 220)
    cv2.imwrite(path, pixels[..., ::-1])
    return path, pixels


@pytest.fixture
def video(tmp_path):
    path = str(tmp_path / 'clip.mp4')
    frames = [np.full((32, 40, 3), 20 * t, np.uint8) for t in range(6)]
    write_video(path, frames)
    return path


def test_open_media_and_read_frames(image, video, tmp_path):
    path, pixels = image
    media = demo.open_media(path)
    assert (media.num_frames, media.height, media.width) == (1, 40, 48)
    assert np.array_equal(demo.read_frame(media, 0), pixels)
    clip = demo.open_media(video)
    assert (clip.num_frames, clip.height, clip.width) == (6, 32, 40)
    # frame 5 of the clip is grey 100 (mp4v is lossy: within a few levels)
    assert abs(float(demo.read_frame(clip, 5).mean()) - 100) < 4
    with pytest.raises(ValueError, match='Frame 6 is not in the media'):
        demo.read_frame(clip, 6)


@pytest.mark.parametrize('name, content, message', [
    (None, None, 'Upload an image or a video first'),
    ('broken.mp4', b'not a video', 'Cannot read the video'),
    ('gone.png', None, 'No such file'),
])
def test_bad_media(tmp_path, name, content, message):
    path = None if name is None else str(tmp_path / name)
    if content is not None:
        with open(path, 'wb') as f:
            f.write(content)
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        demo.open_media(path)


def test_clicks_make_points_and_boxes():
    media = demo.MediaInfo('clip.mp4', 6, 32, 40)
    prompts = demo.empty_prompts()
    prompts = demo.add_click(prompts, media, 'point', 5, 6, 2)
    prompts = demo.add_click(prompts, media, 'box', 30, 20, 1)
    # a corner on another frame starts the box again
    prompts = demo.add_click(prompts, media, 'box', 25, 4, 3)
    assert prompts['corner'] == (25, 4, 3) and prompts['boxes'] == []
    pending = demo.describe_prompts(prompts)
    assert pending.splitlines()[-1].startswith('box corner (25, 4) on frame 3')
    # the opposite corner, up-left of the first: sorted into x1 < x2
    prompts = demo.add_click(prompts, media, 'box', 10, 14, 3)
    assert prompts == dict(
        points=[(5, 6, 2)], boxes=[(10, 4, 25, 14, 3)], corner=None)
    assert demo.describe_prompts(prompts) == (
        '[0] point (5, 6) on frame 2\n[1] box (10, 4, 25, 14) on frame 3')


@pytest.mark.parametrize('media, mode, click, message', [
    (None, 'point', (1, 1, 0), 'Upload an image or a video first'),
    (demo.MediaInfo('a.png', 1, 32, 40), 'point', (41, 3, 0),
     r'The click \(41, 3\) is outside the 40x32 \(WxH\) frame'),
    (demo.MediaInfo('a.png', 1, 32, 40), 'point', (4, 3, 1),
     r'Frame 1 is not in the media \(1 frame\(s\)\)'),
    (demo.MediaInfo('a.png', 1, 32, 40), 'lasso', (4, 3, 0),
     'Unknown prompt mode "lasso"'),
])
def test_bad_clicks(media, mode, click, message):
    with pytest.raises(ValueError, match=message):
        demo.add_click(demo.empty_prompts(), media, mode, *click)


def test_box_without_area():
    media = demo.MediaInfo('a.png', 1, 32, 40)
    prompts = demo.add_click(demo.empty_prompts(), media, 'box', 4, 5, 0)
    with pytest.raises(ValueError, match='span no area'):
        demo.add_click(prompts, media, 'box', 4, 20, 0)


def test_prompts_drawn_in_object_colours():
    image = np.zeros((40, 48, 3), np.uint8)
    prompts = dict(
        points=[(10, 12, 0), (30, 30, 1)],
        boxes=[(20, 4, 44, 24, 0)],
        corner=(2, 36, 0))
    drawn = demo.draw_prompts(image, prompts, 0)
    assert tuple(drawn[12, 10]) == object_color(0)
    assert tuple(drawn[30, 30]) == (0, 0, 0)  # point 1 is on frame 1
    assert tuple(drawn[4, 32]) == object_color(2)  # the box's top edge
    assert tuple(drawn[36, 2]) == object_color(3)  # the pending corner


def test_answer_draws_the_masks(inferencer, image):
    path, pixels = image
    media = demo.open_media(path)
    prompts = demo.add_click(demo.empty_prompts(), media, 'point', 20, 18, 0)
    result = demo.answer(
        inferencer, media, 'What is <|ref|>?', prompts, segment_first=True)
    assert isinstance(result.text, str) and result.frame_inds == [0]
    # segment first: one masklet, of the prompted object
    (obj, ) = result.masks['objects']
    rle = obj['frames'][0]
    mask = mask_utils.decode(
        dict(size=rle['size'], counts=rle['counts'].encode())).astype(bool)
    assert mask.shape == (40, 48)
    expected = blend(pixels, mask[None], 0.5)
    # the drawing is the blended mask, but for the point marker
    far = np.ones_like(mask)
    far[12:25, 14:27] = False
    drawing = result.drawings[result.shown]
    assert np.array_equal(drawing[far], expected[far])
    assert tuple(drawing[18, 20]) == object_color(0)


def test_answer_on_a_video_shows_the_prompt_frame(inferencer, video):
    media = demo.open_media(video)
    prompts = demo.add_click(demo.empty_prompts(), media, 'box', 4, 4, 5)
    prompts = demo.add_click(prompts, media, 'box', 20, 16, 5)
    result = demo.answer(
        inferencer,
        media,
        'Please segment <|seg|>.',
        prompts,
        segment_first=False,
        frame=5)
    # 4 of the 6 frames are sampled; the prompt frame is always kept
    assert len(result.frame_inds) == 4 and 5 in result.frame_inds
    assert result.frame_inds[result.shown] == 5
    assert len(result.drawings) == 4


@pytest.mark.parametrize('change, message', [
    (dict(media=None), 'Upload an image or a video first'),
    (dict(text='  '), 'the text is empty'),
    (dict(prompts=dict(points=[], boxes=[], corner=(1, 1, 0))),
     'A box has one corner so far'),
    (dict(prompts=dict(points=[(60, 5, 0)], boxes=[], corner=None)),
     r'the point \(60, 5, 0\) is outside the 48x40'),
])
def test_bad_requests(inferencer, image, change, message):
    kwargs = dict(
        media=demo.open_media(image[0]),
        text='Segment <|seg|>',
        prompts=demo.empty_prompts())
    kwargs.update(change)
    with pytest.raises(ValueError, match=message):
        demo.answer(inferencer, **kwargs)


def test_cli_errors_are_one_line(capsys, monkeypatch, tmp_path):
    for model, message in (
        ('missing_config.py', 'No config file or checkpoint directory'),
        ('PolyU-ChenLab/UniPixel-404B', 'PolyU-ChenLab/UniPixel-404B'),
    ):
        from huggingface_hub import constants
        monkeypatch.setattr(constants, 'HF_HUB_CACHE', str(tmp_path))
        monkeypatch.setattr(constants, 'HF_HUB_OFFLINE', True)
        with pytest.raises(SystemExit) as info:
            demo.main([model])
        err = capsys.readouterr().err.strip()
        assert info.value.code == 2 and len(err.splitlines()) == 1
        assert re.search(message, err), err


def test_a_config_brings_its_processor():
    # `tools/demo.py configs/unipixel_tiny_synthetic.py --random-weights`
    # needs no --processor: the config's pipelines name it
    config = osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py')
    assert config_processor(config) == dict(
        type='build_tiny_processor', save_dir='data/tiny_processor')
    base = osp.join(ROOT, 'configs', '_base_', 'models', 'unipixel_tiny.py')
    assert config_processor(base) is None


def test_a_work_dir_stands_for_its_latest_checkpoint(tmp_path):
    # `--checkpoint work_dirs/unipixel_tiny_synthetic` after the README's
    # training, whatever its number of iterations
    config = osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py')
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    with pytest.raises(FileNotFoundError, match='nor a work dir'):
        check_model_files(config, str(work_dir))
    for step in (10, 20):
        torch.save({'state_dict': {}}, str(work_dir / f'iter_{step}.pth'))
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'iter_20.pth'))
    assert check_model_files(config, str(work_dir)) == (
        config, str(work_dir / 'iter_20.pth'))
