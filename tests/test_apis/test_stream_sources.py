"""Stream sources: growing folders, videos read frame by frame, synthetic."""
import threading

import cv2
import numpy as np
import pytest

from unipixel_mm.apis.stream_sources import (CaptureSource, FolderSource,
                                             SyntheticSource, open_source)


def _write_frames(folder, frames, start=0):
    for t, frame in enumerate(frames, start):
        cv2.imwrite(str(folder / f'{t:05d}.png'), frame[..., ::-1])


def test_synthetic_source_is_lazy_and_repeatable():
    source = open_source('synthetic:5:2')
    assert isinstance(source, SyntheticSource)
    frames = list(source)
    assert len(frames) == 5 and frames[0].shape == (96, 128, 3)
    assert frames[0].dtype == np.uint8
    np.testing.assert_array_equal(frames[3], SyntheticSource(5, 2).frame(3))
    assert not np.array_equal(frames[0], frames[4])  # the shapes move
    # two shapes of their own colours on a grey background
    assert len(np.unique(frames[0].reshape(-1, 3), axis=0)) == 3
    with pytest.raises(ValueError, match='synthetic:FRAMES'):
        open_source('synthetic:x')


def test_folder_source_waits_for_new_frames(tmp_path):
    frames = list(SyntheticSource(4, 1, height=24, width=32))
    _write_frames(tmp_path, frames[:2])
    source = open_source(str(tmp_path), idle_timeout=2.0, poll=0.01)
    assert isinstance(source, FolderSource)
    writer = threading.Timer(0.2, _write_frames, (tmp_path, frames[2:], 2))
    writer.start()
    read = list(source)
    writer.join()
    assert len(read) == 4
    for got, want in zip(read, frames):
        np.testing.assert_array_equal(got, want)
    # idle_timeout 0: the frames there now
    assert len(list(FolderSource(str(tmp_path), idle_timeout=0))) == 4


def test_video_file_is_read_frame_by_frame(tmp_path):
    path = str(tmp_path / 'clip.avi')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 10,
                             (32, 24))
    for frame in SyntheticSource(6, 1, height=24, width=32):
        writer.write(frame[..., ::-1].copy())
    writer.release()
    source = open_source(path)
    assert isinstance(source, CaptureSource)
    assert source.fps == pytest.approx(10)
    frames = iter(source)
    first = next(frames)
    assert first.shape == (24, 32, 3)
    assert len(list(frames)) == 5


def test_sources_that_cannot_be_opened(tmp_path):
    with pytest.raises(FileNotFoundError, match='No such video file'):
        open_source(str(tmp_path / 'missing.mp4'))
    with pytest.raises(FileNotFoundError, match='No such frame folder'):
        FolderSource(str(tmp_path / 'missing'))
    broken = tmp_path / 'broken.mp4'
    broken.write_text('not a video')
    with pytest.raises(OSError, match='Cannot open the stream source'):
        open_source(str(broken))
