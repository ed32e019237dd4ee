"""Write a live stream's masks as they come: RLE lines and an overlay video.

``<name>_masks.jsonl`` gets one JSON line per frame, flushed at once::

    {"frame": 12, "latency_ms": 31.4, "objects": [
        {"id": 0, "score": 3.2, "size": [H, W], "counts": "..."}, ...]}

(with ``"answer"`` on the frames whose push ran an LLM query),
``<name>.mp4`` the frames with the masks blended in, and ``<name>.txt`` the
last answer. Closing the writer (also when the stream stops early or fails)
leaves every file complete up to the last frame written.
"""
import json
import os
import os.path as osp
import re
import time
from collections import deque
from typing import Deque, Dict, Iterable, Optional

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from unipixel_mm.visualization import blend
from .stream import StreamFrame, StreamSession


class StreamWriter:
    """Write each done frame of a stream to the output files at once.

    Args:
        out_dir (str): output folder (created).
        name (str): stem of the output files.
        fps (float): frame rate of the overlay video.
        alpha (float): opacity of the mask colours. Defaults to 0.5.
    """

    def __init__(self,
                 out_dir: str,
                 name: str,
                 fps: float,
                 alpha: float = 0.5) -> None:
        os.makedirs(out_dir, exist_ok=True)
        stem = osp.join(out_dir, name)
        self.paths = dict(
            masks=stem + '_masks.jsonl',
            overlay=stem + '.mp4',
            answer=stem + '.txt')
        self.fps = fps
        self.alpha = alpha
        self.answer: Optional[str] = None
        self.num_frames = 0
        self._lines = open(self.paths['masks'], 'w')
        self._video: Optional[cv2.VideoWriter] = None

    def write(self, frame: np.ndarray, done: StreamFrame) -> None:
        """Write one frame's masks and overlay.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 RGB, the frame itself.
            done (StreamFrame): its masks.
        """
        line = dict(
            frame=done.index,
            latency_ms=round(done.latency * 1000, 3),
            objects=[
                dict(id=i, score=round(float(s), 4), **_rle(m))
                for i, s, m in zip(done.object_ids, done.scores,
                                   done.masks.numpy())
            ])
        if done.answer is not None:
            line['answer'] = self.answer = done.answer
        self._lines.write(json.dumps(line) + '\n')
        self._lines.flush()
        drawing = blend(frame, done.masks.numpy(), self.alpha)
        self._video_writer(frame.shape[:2]).write(
            np.ascontiguousarray(drawing[..., ::-1]))
        self.num_frames += 1

    def _video_writer(self, size) -> cv2.VideoWriter:
        if self._video is None:
            height, width = size
            self._video = cv2.VideoWriter(self.paths['overlay'],
                                          cv2.VideoWriter_fourcc(*'mp4v'),
                                          self.fps, (width, height))
            if not self._video.isOpened():
                raise OSError(
                    f'Cannot write the video "{self.paths["overlay"]}"')
        return self._video

    def close(self) -> Dict[str, str]:
        """Finish the files; returns the paths of those written."""
        self._lines.close()
        paths = dict(masks=self.paths['masks'])
        if self._video is not None:
            self._video.release()
            paths['overlay'] = self.paths['overlay']
        if self.answer is not None:
            with open(self.paths['answer'], 'w') as f:
                f.write(self.answer + '\n')
            paths['answer'] = self.paths['answer']
        return paths


def _rle(mask: np.ndarray) -> dict:
    rle = mask_utils.encode(np.asfortranarray(mask, np.uint8))
    return dict(
        size=[int(x) for x in rle['size']],
        counts=rle['counts'].decode('ascii'))


def run_stream(session: StreamSession,
               frames: Iterable[np.ndarray],
               writer: StreamWriter,
               max_frames: Optional[int] = None,
               verbose: bool = True) -> Dict[str, str]:
    """Push the frames of a source into a session and write each done frame.

    Args:
        session (StreamSession): the session (closed at the end).
        frames (Iterable[np.ndarray]): (H, W, 3) uint8 RGB frames.
        writer (StreamWriter): where the results go (closed at the end).
        max_frames (int, optional): stop after this many frames.
        verbose (bool): print each frame's latency.

    Returns:
        dict: the paths written.

    Raises:
        ValueError: the source gave no frame.
    """
    held: Deque[np.ndarray] = deque()

    def write(done_frames) -> None:
        for done in done_frames:
            writer.write(held.popleft(), done)
            if verbose:
                print(f'frame {done.index}: {len(done.object_ids)} '
                      f'object(s), {done.latency * 1000:.1f} ms')

    start = time.perf_counter()
    try:
        try:
            for frame in frames:
                if max_frames is not None \
                        and session.num_frames >= max_frames:
                    break
                held.append(frame)
                write(session.push(frame))
        except KeyboardInterrupt:
            print('Interrupted: closing the stream')
        write(session.close())
    finally:
        paths = writer.close()
    if not writer.num_frames:
        raise ValueError('The stream ended before any frame arrived')
    if verbose:
        seconds = time.perf_counter() - start
        print(f'{writer.num_frames} frames in {seconds:.1f} s '
              f'({writer.num_frames / seconds:.1f} frames/s)')
    return paths


def stream_name(source: str) -> str:
    """Stem of the output files of a stream source."""
    if source.isdigit():
        return f'camera{source}'
    if '://' in source:
        return 'stream'
    name = osp.splitext(osp.basename(osp.normpath(source)))[0]
    return re.sub(r'[^\w.-]+', '_', name) or 'stream'


def main_stream(inferencer, args, frames) -> Dict[str, str]:
    """``unipixel-infer --stream`` on the opened source ``frames`` (see
    :mod:`unipixel_mm.apis.cli`)."""
    session = inferencer.stream(
        args.text,
        points=args.point,
        boxes=args.box,
        window=args.window,
        requery_every=args.requery_every,
        generation=dict(
            max_new_tokens=args.max_new_tokens,
            do_sample=args.do_sample,
            temperature=args.temperature,
            top_p=args.top_p))
    fps = getattr(frames, 'fps', None) or args.fps
    writer = StreamWriter(args.out_dir, stream_name(args.media), fps)
    paths = run_stream(session, frames, writer, max_frames=args.max_frames)
    if session.answer is not None:
        print(f'Answer: {session.answer}')
    for kind, path in paths.items():
        print(f'{kind}: {path}')
    return paths
