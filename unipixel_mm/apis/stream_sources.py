"""Frame sources of a live stream, read one frame at a time.

:func:`open_source` opens, from one string:

- a folder of frames that may still be growing (``00000.jpg``...);
- a video file, decoded frame by frame (never loaded whole);
- a camera index (``0``) or a network URL (``rtsp://...``) that OpenCV
  opens;
- ``synthetic:T[:O]``: T frames of O moving shapes drawn on the fly (for
  demos and benchmarks).

Each source is an iterator of (H, W, 3) uint8 RGB frames; it raises a clear
error when it cannot be opened and simply ends when the stream does.
"""
import os.path as osp
import time
from typing import Iterator, Optional, Union

import cv2
import numpy as np

from unipixel_mm.datasets.synthetic_shapes import COLOURS, SHAPES, draw_shape
from unipixel_mm.datasets.transforms.loading import (list_frame_files,
                                                     read_image)


class FolderSource:
    """Frames of a folder, in frame-number order, waiting for new ones.

    Files are expected to appear in order (each new file sorts after the
    ones already there). The stream ends when no new frame has appeared for
    ``idle_timeout`` seconds (0: the frames there now).

    Args:
        folder (str): the folder.
        idle_timeout (float): seconds to wait for a new frame.
        poll (float): seconds between looks at the folder.
    """

    def __init__(self,
                 folder: str,
                 idle_timeout: float = 2.0,
                 poll: float = 0.05) -> None:
        if not osp.isdir(folder):
            raise FileNotFoundError(f'No such frame folder: "{folder}"')
        self.folder = folder
        self.idle_timeout = idle_timeout
        self.poll = poll

    def __iter__(self) -> Iterator[np.ndarray]:
        done, waited_since = 0, time.monotonic()
        while True:
            files = list_frame_files(self.folder)[done:]
            for path in files:
                yield self._read(path)
                done += 1
            if files:
                waited_since = time.monotonic()
            elif time.monotonic() - waited_since >= self.idle_timeout:
                return
            else:
                time.sleep(self.poll)

    def _read(self, path: str) -> np.ndarray:
        """Read a frame, retrying while it may still be being written."""
        deadline = time.monotonic() + max(self.idle_timeout, self.poll)
        while True:
            try:
                return read_image(path)
            except (OSError, ValueError) as e:
                if time.monotonic() >= deadline:
                    raise ValueError(
                        f'Cannot read the frame "{path}": {e}') from e
                time.sleep(self.poll)


class CaptureSource:
    """Frames of a video file, camera or URL, decoded one at a time by
    OpenCV.

    Args:
        source (str | int): a video file, a network URL or a camera index.
    """

    def __init__(self, source: Union[str, int]) -> None:
        if isinstance(source, str) and '://' not in source \
                and not osp.isfile(source):
            raise FileNotFoundError(f'No such video file: "{source}"')
        self.source = source
        self.capture = cv2.VideoCapture(source)
        if not self.capture.isOpened():
            self.capture.release()
            raise OSError(f'Cannot open the stream source "{source}": '
                          'OpenCV cannot read it (not a video, or the '
                          'camera / URL is unavailable)')

    @property
    def fps(self) -> Optional[float]:
        """Frame rate the source reports, if any."""
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        return fps if fps and fps > 0 else None

    def __iter__(self) -> Iterator[np.ndarray]:
        try:
            while True:
                ok, frame = self.capture.read()
                if not ok:
                    return
                yield np.ascontiguousarray(frame[..., ::-1])
        finally:
            self.capture.release()


class SyntheticSource:
    """Moving coloured shapes drawn frame by frame (nothing is held).

    Args:
        num_frames (int): length of the stream.
        num_objects (int): shapes (at most 12).
        height, width (int): frame size.
        seed (int): random seed of the shapes' paths.
    """

    def __init__(self,
                 num_frames: int,
                 num_objects: int = 1,
                 height: int = 96,
                 width: int = 128,
                 seed: int = 0) -> None:
        kinds = [(c, s) for s in SHAPES for c in COLOURS]
        if not 1 <= num_objects <= len(kinds):
            raise ValueError(f'num_objects must be 1..{len(kinds)}, got '
                             f'{num_objects}')
        rng = np.random.default_rng(seed)
        self.num_frames = num_frames
        self.shape = np.array([width, height], dtype=float)
        self.kinds = kinds[:num_objects]
        self.sides = rng.uniform(0.2, 0.35, num_objects) * min(height, width)
        self.starts = [rng.uniform(s / 2, self.shape - s / 2)
                       for s in self.sides]
        self.speeds = [rng.uniform(-0.02, 0.02, 2) * self.shape
                       for _ in self.sides]

    def frame(self, t: int) -> np.ndarray:
        """Frame ``t``: (H, W, 3) uint8 RGB."""
        width, height = self.shape.astype(int)
        canvas = np.full((height, width, 3), 40, np.uint8)
        for (colour, shape), side, start, speed in zip(
                self.kinds, self.sides, self.starts, self.speeds):
            low, high = side / 2, self.shape - side / 2
            span = high - low
            # bounce off the borders: reflect the straight path
            pos = low + np.abs((start + speed * t - low + span) %
                               (2 * span) - span)
            draw_shape(canvas, shape, pos, side, COLOURS[colour])
        return canvas

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self.frame(t) for t in range(self.num_frames))


def open_source(source: str,
                idle_timeout: float = 2.0,
                poll: float = 0.05
                ) -> Union[FolderSource, CaptureSource, SyntheticSource]:
    """Open a stream source (see the module docstring for the forms).

    Args:
        source (str): folder, video file, camera index, URL or
            ``synthetic:T[:O]``.
        idle_timeout (float): a folder's wait for new frames, in seconds.
        poll (float): seconds between looks at a folder.

    Returns:
        An iterable of (H, W, 3) uint8 RGB frames.

    Raises:
        FileNotFoundError: a folder or file that does not exist.
        OSError: a video, camera or URL that cannot be opened.
        ValueError: a malformed ``synthetic:`` source.
    """
    if source.startswith('synthetic:'):
        parts = source.split(':')[1:]
        if not 1 <= len(parts) <= 2 or not all(p.isdigit() for p in parts):
            raise ValueError(f'"{source}" must be synthetic:FRAMES[:OBJECTS]')
        return SyntheticSource(*(int(p) for p in parts))
    if osp.isdir(source):
        return FolderSource(source, idle_timeout, poll)
    if source.isdigit():
        return CaptureSource(int(source))
    return CaptureSource(source)
