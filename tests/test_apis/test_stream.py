"""Live video sessions on the tiny fixture checkpoint."""
import json

import cv2
import numpy as np
import pytest
import torch
from parity_fixture import parity_fixture_files
from pycocotools import mask as mask_utils

from unipixel_mm.apis import InferenceRequest
from unipixel_mm.apis.cli import main as cli_main
from unipixel_mm.apis.stream import match_objects
from unipixel_mm.apis.stream_sources import SyntheticSource
from unipixel_mm.datasets.transforms import SAM2Resize

CHECKPOINT, SAM2_YAML = parity_fixture_files()
TEXT = 'Please segment <|seg|> and <|seg|>.'


def whole_clip_masks(inferencer, frames: np.ndarray, window: int,
                     text: str) -> torch.Tensor:
    """The whole-clip run of the same sampling: the LLM gets the first
    ``window`` frames (sampled as the inferencer samples a clip), SAM2
    tracks every frame from frame 0; (O, T, H, W) masks."""
    model = inferencer.model
    packed = inferencer.preprocess(InferenceRequest(frames[:window], text), 0)
    resize = SAM2Resize(model.mask_decoder.image_size)
    packed['inputs']['frames'] = resize(dict(frames=frames))['sam2_frames']
    data = model.data_preprocessor(
        dict(
            inputs=[packed['inputs']], data_samples=[packed['data_samples']]),
        training=False)
    return model.generate(data['inputs'], data['data_samples'],
                          **inferencer.generation_cfg)[0].masks


def iou(a: torch.Tensor, b: torch.Tensor) -> float:
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 1.


def test_stream_equals_whole_clip_and_memory_is_bounded(inferencer):
    frames = np.stack(list(SyntheticSource(30, 2, height=48, width=64)))
    window = 3
    session = inferencer.stream(TEXT, window=window)
    done, state = [], {}
    for t, frame in enumerate(frames):
        pushed = session.push(frame)
        # nothing while the window fills, the window at once, then 1 a push
        assert [d.index for d in pushed] == \
            ([] if t < window - 1 else
             list(range(window)) if t == window - 1 else [t])
        done += pushed
        state[t] = session.state_bytes()
    assert session.close() == []

    reference = whole_clip_masks(inferencer, frames, window, TEXT)
    # the two <|seg|> of the prompt and those the model writes
    num_objects = len(reference)
    assert num_objects >= 2
    assert reference.shape == (num_objects, 30, 48, 64)
    assert done[0].answer == session.answer
    for t, frame in enumerate(done):
        assert frame.object_ids == list(range(num_objects))
        assert frame.masks.shape == (num_objects, 48, 64)
        for o in range(num_objects):
            assert iou(frame.masks[o], reference[o, t]) >= 0.99
    assert any(frame.masks.any() for frame in done)
    # SAM2 keeps the conditioning frame and its memory window only: once the
    # window is full (17 frames for the fixture), the state stops growing
    assert state[20] == state[29]
    assert state[5] < state[20]


def test_requery_matches_or_adds_objects(inferencer):
    frames = list(SyntheticSource(9, 2, height=48, width=64, seed=1))

    def run(**kwargs):
        session = inferencer.stream(TEXT, requery_every=4, **kwargs)
        return [d for f in frames for d in session.push(f)]

    # any overlap matches: the re-found objects are the tracked ones
    same = run(match_iou=0.)
    first = same[0].object_ids
    assert len(first) >= 2
    assert [d.object_ids for d in same] == [first] * 9
    assert [d.answer is not None for d in same] == \
        [True, False, False, False, True, False, False, False, True]
    # nothing matches: the non-empty new objects are added, up to the cap
    added = run(match_iou=1.01, max_objects=len(first) + 1)
    ids = [d.object_ids for d in added]
    grown = first + [len(first)]
    assert ids[:4] == [first] * 4
    assert ids[4:8] == [ids[4]] * 4 and ids[4] in (first, grown)
    assert ids[8] in (ids[4], grown)
    assert grown in ids  # the fixture's objects are not all empty
    for d in added:
        assert d.masks.shape == (len(d.object_ids), 48, 64)
        assert d.scores.shape == (len(d.object_ids), )


def test_requery_on_demand(inferencer):
    frames = list(SyntheticSource(3, 1, height=48, width=64))
    session = inferencer.stream('Please segment <|seg|>.')
    assert session.push(frames[0])[0].answer is not None
    assert session.push(frames[1])[0].answer is None
    session.requery()
    assert session.push(frames[2])[0].answer is not None


def test_match_objects():
    masks = torch.zeros(3, 4, 4, dtype=torch.bool)
    masks[0, :2] = True  # top half
    masks[1, 2:] = True  # bottom half
    masks[2, :, :1] = True  # left column
    new = torch.stack([masks[1], masks[0] | masks[2], masks[2]])
    old = masks[:2]
    # new 1 overlaps old 0 with IoU 8/10; new 2 matches nothing
    assert match_objects(new, old, 0.5) == [1, 0, None]
    assert match_objects(new, old, 0.9) == [1, None, None]
    assert match_objects(new, old[:0], 0.5) == [None] * 3


def test_stream_errors(inferencer):
    frames = list(SyntheticSource(2, 1, height=48, width=64))
    session = inferencer.stream(TEXT, window=3)
    assert session.push(frames[0]) == []
    with pytest.raises(ValueError, match='Frame 1 is 40x64 but the stream '
                       'is 48x64'):
        session.push(frames[1][:40])
    with pytest.raises(ValueError, match='must be \\(H, W, 3\\)'):
        session.push(frames[1][..., 0])
    assert session.push(frames[1]) == []
    # the stream ends before the window is full: the LLM looks at what came
    with pytest.warns(UserWarning, match='ended after 2 frame\\(s\\), '
                      'before the LLM window of 3'):
        done = session.close()
    assert [d.index for d in done] == [0, 1]
    assert session.close() == []
    with pytest.raises(RuntimeError, match='closed'):
        session.push(frames[0])
    with pytest.raises(ValueError, match='on frame 3 but the LLM window'):
        inferencer.stream('<|ref|> <|seg|>', points=[(5, 5, 3)], window=2)
    with pytest.raises(ValueError, match='window must be >= 1'):
        inferencer.stream(TEXT, window=0)


def _cli(processor_dir, source, out_dir, *extra):
    return cli_main([
        source, TEXT, '--model', CHECKPOINT, '--processor', processor_dir,
        '--sam2-config', SAM2_YAML, '--max-new-tokens', '3', '--num-frames',
        '4', '--out-dir',
        str(out_dir), '--stream', *extra
    ])


def _lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def _video_frames(path):
    capture = cv2.VideoCapture(path)
    count = 0
    while capture.read()[0]:
        count += 1
    capture.release()
    return count


def test_cli_stream_writes_every_frame_as_it_comes(processor_dir, tmp_path,
                                                   capsys):
    paths = _cli(processor_dir, 'synthetic:8:2', tmp_path, '--window', '2',
                 '--max-frames', '5', '--fps', '5')
    assert paths['masks'].endswith('synthetic_8_2_masks.jsonl')
    lines = _lines(paths['masks'])
    # stopped after 5 frames: every one of them is written
    assert [line['frame'] for line in lines] == [0, 1, 2, 3, 4]
    assert 'answer' in lines[0] and 'answer' not in lines[1]
    assert len(lines[0]['objects']) >= 2
    for line in lines:
        for obj in line['objects']:
            assert obj['size'] == [96, 128]
            mask = mask_utils.decode(dict(size=obj['size'],
                                          counts=obj['counts']))
            assert mask.shape == (96, 128)
    assert _video_frames(paths['overlay']) == 5
    with open(paths['answer']) as f:
        assert f.read().strip() == lines[0]['answer'].strip()
    printed = capsys.readouterr().out
    assert 'frame 4: ' in printed and ' ms' in printed
    assert '5 frames in' in printed


def _cli_error(capsys, *args) -> str:
    """The one-line error of a CLI run that exits with status 2."""
    with pytest.raises(SystemExit) as exit_info:
        _cli(*args)
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_cli_stream_errors_keep_what_was_written(processor_dir, tmp_path,
                                                 capsys):
    frames = list(SyntheticSource(4, 1, height=48, width=64))
    folder = tmp_path / 'frames'
    folder.mkdir()
    for t, frame in enumerate(frames[:3] + [frames[3][:40]]):
        cv2.imwrite(str(folder / f'{t:05d}.png'), frame[..., ::-1])
    assert 'Frame 3 is 40x64 but the stream is 48x64' in _cli_error(
        capsys, processor_dir, str(folder), tmp_path, '--idle-timeout', '0')
    lines = _lines(str(tmp_path / 'frames_masks.jsonl'))
    assert [line['frame'] for line in lines] == [0, 1, 2]
    assert _video_frames(str(tmp_path / 'frames.mp4')) == 3
    assert 'No such video file' in _cli_error(
        capsys, processor_dir, str(tmp_path / 'missing.mp4'), tmp_path)
    empty = tmp_path / 'empty'
    empty.mkdir()
    assert 'ended before any frame' in _cli_error(
        capsys, processor_dir, str(empty), tmp_path, '--idle-timeout', '0')
