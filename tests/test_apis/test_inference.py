"""The inference API and CLI on the tiny fixture checkpoint."""
import json

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from parity_fixture import parity_fixture_files

from unipixel_mm.apis import InferenceRequest, UniPixelInferencer
from unipixel_mm.apis.cli import main as cli_main
from unipixel_mm.visualization import blend

CHECKPOINT, SAM2_YAML = parity_fixture_files()


def _image(seed=0, height=60, width=70):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (height, width, 3), dtype=np.uint8)


def test_image_with_point_prompt(inferencer):
    # a <|seg|> in the prompt is segmented whatever the model answers
    result = inferencer(_image(), 'Segment <|ref|> please. <|seg|>',
                        points=[(10, 20, 0)])
    assert result.masks.shape == (1, 1, 60, 70)
    assert result.masks.dtype == torch.bool
    assert result.scores.shape == (1, 1)
    assert result.frames.shape == (1, 60, 70, 3)
    assert isinstance(result.text, str)


def test_video_with_box_and_batched_requests(inferencer):
    video = np.stack([_image(i) for i in range(7)])
    requests = [
        InferenceRequest(video, 'Track <|seg|> and <|seg|>',
                         boxes=[(5, 5, 40, 50, 6)]),
        InferenceRequest(_image(9), 'What is here?'),
    ]
    first, second = inferencer(requests)
    # the data sets' test pipeline with the inferencer's frame sampling:
    # 4 frames are sampled and the prompted frame 6 is among them
    assert [type(t).__name__ for t in inferencer.pipeline.transforms] == [
        'LoadFrames', 'LoadObjectMasks', 'QwenVideoProcess', 'SAM2Resize',
        'SamplePrompts', 'FormatConversation', 'PackUniPixelInputs'
    ]
    assert first.frame_inds == [0, 2, 4, 6]
    assert first.masks.shape == (2, 4, 60, 70)
    assert first.prompts['boxes'] == [(5, 5, 40, 50, 0, 3)]
    assert second.masks.shape == (0, 1, 60, 70)


def test_mask_prompt(inferencer):
    mask = np.zeros((60, 70), bool)
    mask[10:30, 20:50] = True
    result = inferencer(np.stack([_image(1), _image(2)]), 'What is [0]?',
                        masks=[(mask, 1)])
    assert result.frame_inds == [0, 1]


def test_a_config_test_pipeline(inferencer, processor_dir):
    """A config's pipeline in place of the inferencer's: the tiny config's
    validation pipeline loads every frame (no sampling) and packs the
    original-size masks too."""
    cfg = Config.fromfile('configs/unipixel_tiny_synthetic.py')
    pipeline = [
        dict(step, processor=processor_dir) if 'processor' in step else step
        for step in cfg.val_pipeline
    ]
    custom = UniPixelInferencer(
        inferencer.model,
        processor=processor_dir,
        generation_cfg=dict(max_new_tokens=1),
        pipeline=pipeline)
    video = np.stack([_image(i) for i in range(6)])
    packed = custom.preprocess(
        InferenceRequest(video, 'Track <|ref|> <|seg|>', points=[(5, 5, 4)]),
        0)
    assert packed['frame_inds'] == list(range(6))
    assert packed['prompts']['points'] == [(5, 5, 0, 4)]
    # SAM2 at the config's 128 px; the keep_ori_masks step's (empty) masks
    assert packed['inputs']['frames'].shape == (6, 3, 128, 128)
    assert packed['data_samples'].gt_masks_ori.shape == (0, 0, 60, 70)


def test_segment_first_answers_with_the_masks(inferencer):
    """PixelQA: the prompted objects are segmented first; their masks are
    the memory of the answer."""
    frames = np.stack([_image(i) for i in range(4)])
    model = inferencer.model
    attributes = dict(vars(model))
    calls = []
    hook = model.vision_tokenizer.register_forward_hook(
        lambda *args: calls.append(1))
    try:
        result = inferencer(
            frames,
            'Is [0] <|ref|> left of [1] <|ref|>?',
            points=[(10, 20, 1)],
            boxes=[(30, 5, 60, 40, 2)],
            segment_first=True)
    finally:
        hook.remove()
    assert len(calls) == 1  # the frames are encoded once for both passes
    # the inferencer leaves the model be
    assert model.processor_cfg is None
    assert vars(model).keys() == attributes.keys() and all(
        vars(model)[k] is v for k, v in attributes.items())
    assert result.masks.shape == (2, 4, 60, 70)
    assert result.scores.shape == (2, 4)
    assert isinstance(result.text, str)
    with pytest.raises(ValueError, match='segment_first needs point or box'):
        inferencer(frames, 'What is it?', segment_first=True)
    with pytest.raises(ValueError, match='Batch segment_first requests'):
        inferencer([
            InferenceRequest(frames, 'What is it?', points=[(10, 20, 1)],
                             segment_first=True),
            InferenceRequest(frames, 'What is it?')
        ])


@pytest.mark.parametrize('kwargs,error,message', [
    (dict(media='missing.png'), FileNotFoundError, 'No such file'),
    (dict(points=[(80, 5, 0)]), ValueError, 'outside'),
    (dict(boxes=[(40, 5, 10, 50, 0)]), ValueError, 'bottom-right'),
    (dict(masks=[(np.ones((10, 10), bool), 0)]), ValueError,
     'is 10x10 but the frames are 60x70'),
    (dict(points=[(5, 5, 3)]), ValueError,
     'on frame 3 but the media has 1 frame'),
    (dict(text='  '), ValueError, 'the text is empty'),
    (dict(points=[(5, 5, 0)], text='<|ref|> and <|ref|>'), ValueError,
     '2 <\\|ref\\|> but 1 point / box'),
])
def test_bad_requests(inferencer, kwargs, error, message):
    request = dict(media=_image(), text='What is it?')
    request.update(kwargs)
    with pytest.raises(error, match=message):
        inferencer.run([InferenceRequest(**request)])


def test_unreadable_media(inferencer, tmp_path):
    broken = tmp_path / 'broken.png'
    broken.write_bytes(b'not an image')
    with pytest.raises((ValueError, OSError), match='broken.png'):
        inferencer(str(broken), 'What is it?')
    video = tmp_path / 'broken.mp4'
    video.write_bytes(b'not a video')
    with pytest.raises((ValueError, OSError), match='broken.mp4'):
        inferencer(str(video), 'What is it?')


def _cli(tmp_path, processor_dir, media, *extra):
    return cli_main([
        media, 'Segment <|seg|>', '--model', CHECKPOINT, '--processor',
        processor_dir, '--sam2-config', SAM2_YAML, '--max-new-tokens', '2',
        '--num-frames', '4', '--out-dir',
        str(tmp_path / 'out'), *extra
    ])


def test_cli_segment_first(tmp_path, processor_dir):
    frames = tmp_path / 'frames'
    frames.mkdir()
    for i in range(3):
        cv2.imwrite(str(frames / f'{i:05d}.jpg'), _image(i))
    paths = cli_main([
        str(frames), 'What is [0] <|ref|> doing?', '--model', CHECKPOINT,
        '--processor', processor_dir, '--sam2-config', SAM2_YAML,
        '--max-new-tokens', '2', '--out-dir',
        str(tmp_path / 'out'), '--point', '10,20@1', '--segment-first'
    ])
    with open(paths['masks']) as f:
        record = json.load(f)
    # the one prompted object, on every frame
    assert len(record['objects']) == 1
    assert len(record['objects'][0]['frames']) == 3


def test_cli_image_overlay_has_mask_colour(tmp_path, processor_dir):
    image = _image(3)
    path = str(tmp_path / 'photo.png')
    cv2.imwrite(path, image[..., ::-1])
    paths = _cli(tmp_path, processor_dir, path, '--point', '10,20')
    overlay = cv2.imread(paths['overlay'])[..., ::-1]
    with open(paths['masks']) as f:
        record = json.load(f)
    from pycocotools import mask as mask_utils
    frame = record['objects'][0]['frames'][0]
    mask = mask_utils.decode(
        dict(size=frame['size'], counts=frame['counts'].encode())).astype(bool)
    assert mask.shape == (60, 70) and mask.any()
    expected = blend(image, mask[None], 0.5)
    # pixels under the mask carry the object colour, the others are intact
    # (away from the drawn point)
    ys, xs = np.nonzero(mask)
    far = (np.abs(xs - 10) > 4) | (np.abs(ys - 20) > 4)
    assert np.array_equal(overlay[ys[far], xs[far]],
                          expected[ys[far], xs[far]])
    outside = ~mask
    outside[15:26, 5:16] = False
    assert np.array_equal(overlay[outside], image[outside])
    with open(paths['answer']) as f:
        assert f.read().strip() == record['answer'].strip()


def test_cli_video_writes_mp4(tmp_path, processor_dir):
    path = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 4,
                             (70, 60))
    for i in range(6):
        writer.write(_image(i))
    writer.release()
    paths = _cli(tmp_path, processor_dir, path, '--box', '5,5,40,50@5')
    capture = cv2.VideoCapture(paths['overlay'])
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 4
    ok, frame = capture.read()
    assert ok and frame.shape == (60, 70, 3)
    with open(paths['masks']) as f:
        record = json.load(f)
    assert [f['frame'] for f in record['objects'][0]['frames']] == \
        [0, 2, 3, 5]


def test_cli_rejects_malformed_prompts(tmp_path, processor_dir):
    with pytest.raises(SystemExit):
        _cli(tmp_path, processor_dir, 'x.png', '--point', '10')
