"""Live video: find objects from text on the first frames, then track them
frame by frame as the frames arrive.

Example::

    inferencer = UniPixelInferencer('path/to/UniPixel-3B')
    with inferencer.stream('Please segment the running dog.') as session:
        for frame in camera:
            for done in session.push(frame):
                show(done.index, done.masks)
"""
import time
import warnings
from collections import deque
from dataclasses import dataclass
from typing import Deque, List, Optional, Sequence, Tuple

import numpy as np
import torch

from unipixel_mm.datasets.transforms import SAM2Resize
from unipixel_mm.models.decoders import SAM2StreamTracker, StreamMasks
from .records import InferenceRequest


@dataclass
class StreamFrame:
    """The masks of one frame of a stream.

    Attributes:
        index (int): the frame's index in the stream.
        masks (Tensor): (O, H, W) bool, one mask per tracked object.
        scores (Tensor): (O,) object-presence logits.
        object_ids (list[int]): id of each object (kept across re-queries).
        latency (float): seconds of the :meth:`StreamSession.push` (or
            ``close``) call that produced this frame.
        answer (str, optional): the LLM's answer, on the frame whose push
            ran a query.
    """
    index: int
    masks: torch.Tensor
    scores: torch.Tensor
    object_ids: List[int]
    latency: float
    answer: Optional[str] = None


def match_objects(new_masks: torch.Tensor, old_masks: torch.Tensor,
                  min_iou: float) -> List[Optional[int]]:
    """Match new objects to tracked ones by mask IoU, greedily.

    The pair of highest IoU is matched first; each object is matched at most
    once and only pairs of IoU >= ``min_iou`` match.

    Args:
        new_masks (Tensor): (N, H, W) bool masks of the new objects.
        old_masks (Tensor): (O, H, W) bool masks of the tracked objects on
            the same frame.
        min_iou (float): least IoU of a match.

    Returns:
        list[int | None]: for each new object the row of its tracked object,
        or None.
    """
    matches: List[Optional[int]] = [None] * len(new_masks)
    if not len(new_masks) or not len(old_masks):
        return matches
    new, old = new_masks.flatten(1).float(), old_masks.flatten(1).float()
    inter = new @ old.T
    union = new.sum(1, keepdim=True) + old.sum(1) - inter
    iou = torch.where(union > 0, inter / union.clamp(min=1), 0.)
    while True:
        best = int(iou.argmax())
        row, col = divmod(best, iou.size(1))
        if iou[row, col] < min_iou:
            return matches
        matches[row] = col
        iou[row], iou[:, col] = -1., -1.


class StreamSession:
    """Segment objects in frames pushed one at a time.

    The first ``window`` frames are held until the window is full; then the
    LLM answers the text on them (sampled as the inferencer samples a clip of
    ``window`` frames) and each ``<|seg|>`` object is tracked by SAM2 from
    frame 0 of the stream, frames 0..window-1 are tracked, and every later
    frame costs one image-encoder pass plus memory attention and mask
    decoding for all objects together. Only SAM2's memory window, the last
    ``window`` frames (for re-queries) and nothing else are kept.

    Same sampling: the masks of a stream equal those of a whole-clip run in
    which the LLM is given the first ``window`` frames of the clip (sampled
    by the inferencer's ``num_frames``) and SAM2 tracks every frame of the
    clip from frame 0 (clips of at least 16 frames; see
    :class:`SAM2StreamTracker`), as long as no re-query adds objects.

    Re-query: every ``requery_every`` frames (or after :meth:`requery`), the
    LLM answers the same text on the latest ``window`` frames; its objects
    are conditioned on the newest frame, a new object whose mask there
    overlaps a tracked one (IoU >= ``match_iou``) is that object (it keeps
    its id and track), any other non-empty one is tracked from there with a
    new id, up to ``max_objects``.

    Args:
        inferencer (UniPixelInferencer): model, processor and pipeline.
        text (str): the instruction, e.g. ``'Please segment the dog.'``.
        points, boxes: point / box prompts as for
            :class:`InferenceRequest`; their frame is an index in the window.
        window (int): frames the LLM looks at. Defaults to 1 (masks from
            the first frame on, without delay).
        requery_every (int): re-query period in frames; 0 never re-queries
            on its own. Defaults to 0.
        match_iou (float): least IoU of a re-found object with a tracked
            one. Defaults to 0.5.
        max_objects (int): most objects tracked. Defaults to 16.
        generation (dict, optional): ``generate`` options over the
            inferencer's ``generation_cfg``.
    """

    def __init__(self,
                 inferencer,
                 text: str,
                 points: Sequence[Tuple[float, float, int]] = (),
                 boxes: Sequence[Tuple[float, float, float, float,
                                       int]] = (),
                 window: int = 1,
                 requery_every: int = 0,
                 match_iou: float = 0.5,
                 max_objects: int = 16,
                 generation: Optional[dict] = None) -> None:
        if window < 1:
            raise ValueError(f'window must be >= 1, got {window}')
        if requery_every < 0:
            raise ValueError(f'requery_every must be >= 0, got '
                             f'{requery_every}')
        for prompt in (*points, *boxes):
            if not 0 <= int(prompt[-1]) < window:
                raise ValueError(
                    f'a prompt is on frame {int(prompt[-1])} but the LLM '
                    f'window has {window} frame(s)')
        self.inferencer = inferencer
        self.model = inferencer.model
        self.text = text
        self.points, self.boxes = list(points), list(boxes)
        self.window = window
        self.requery_every = requery_every
        self.match_iou = match_iou
        self.max_objects = max_objects
        self.generation = dict(inferencer.generation_cfg, **(generation or {}))
        self.tracker = SAM2StreamTracker(self.model.mask_decoder)
        self.resize = SAM2Resize(self.model.mask_decoder.image_size)
        self.device = next(self.model.parameters()).device
        self.recent: Deque[np.ndarray] = deque(maxlen=window)
        self.num_frames = 0
        self.frame_size: Optional[Tuple[int, int]] = None
        self.answer: Optional[str] = None
        self.closed = False
        self._queried_at: Optional[int] = None
        self._requery = False
        self._next_id = 0

    # ------------------------------------------------------------------ #
    # pushing frames
    # ------------------------------------------------------------------ #
    @torch.no_grad()
    def push(self, frame: np.ndarray) -> List[StreamFrame]:
        """Add the next frame.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 RGB, of the stream's size.

        Returns:
            list[StreamFrame]: the frames done by this push: none while the
            first window fills, the whole window when it is full, then just
            the pushed frame.
        """
        start = time.perf_counter()
        if self.closed:
            raise RuntimeError('The stream session is closed')
        self.recent.append(self._check_frame(frame))
        self.num_frames += 1
        if self._queried_at is None:
            if len(self.recent) < self.window:
                return []
            return self._first_query(start)
        index = self.num_frames - 1
        due = self.requery_every and \
            index - self._queried_at >= self.requery_every
        if due or self._requery:
            return [self._requery_on(index, start)]
        done = self.tracker.step(self._features(frame), self.frame_size)
        return [self._done(index, done, start)]

    def requery(self) -> None:
        """Ask the LLM again on the latest window at the next push."""
        self._requery = True

    @torch.no_grad()
    def close(self) -> List[StreamFrame]:
        """End the stream.

        Returns:
            list[StreamFrame]: the frames still held when the stream ended
            before the first window was full (the LLM then looks at those);
            otherwise none.
        """
        if self.closed:
            return []
        self.closed = True
        if self._queried_at is not None or not self.recent:
            return []
        warnings.warn(
            f'The stream ended after {len(self.recent)} frame(s), before '
            f'the LLM window of {self.window} was full; the objects are '
            'found on those frames')
        return self._first_query(time.perf_counter())

    def __enter__(self) -> 'StreamSession':
        return self

    def __exit__(self, *exc) -> None:
        self.closed = True

    def state_bytes(self) -> int:
        """Bytes of the session's state: SAM2's memory bank and the held
        frames (deterministic, for checking that memory stays bounded)."""
        return self.tracker.state_bytes() + sum(f.nbytes for f in self.recent)

    # ------------------------------------------------------------------ #
    # steps
    # ------------------------------------------------------------------ #
    def _check_frame(self, frame: np.ndarray) -> np.ndarray:
        frame = np.asarray(frame)
        if frame.ndim != 3 or frame.shape[-1] != 3:
            raise ValueError(f'Frame {self.num_frames}: a frame must be '
                             f'(H, W, 3) RGB, got shape {frame.shape}')
        size = frame.shape[:2]
        if self.frame_size is None:
            self.frame_size = size
        elif size != self.frame_size:
            raise ValueError(
                f'Frame {self.num_frames} is {size[0]}x{size[1]} but the '
                f'stream is {self.frame_size[0]}x{self.frame_size[1]}; '
                'start a new session for a stream of another size')
        return frame.astype(np.uint8, copy=False)

    def _features(self, frame: np.ndarray):
        sam2_frame = self.resize(dict(frames=frame[None]))['sam2_frames'][0]
        return self.tracker.encode(sam2_frame.to(self.device))

    def _first_query(self, start: float) -> List[StreamFrame]:
        frames = list(self.recent)
        prompts = self._query(frames)
        first = self.num_frames - len(frames)
        ids = self._new_ids(len(prompts))
        done = []
        for t, frame in enumerate(frames):
            features = self._features(frame)
            if t == 0 and ids:
                masks = self.tracker.add_objects(features, prompts, ids,
                                                 self.frame_size)
            else:
                masks = self.tracker.step(features, self.frame_size)
            done.append(self._done(first + t, masks, start))
        done[0].answer = self.answer
        self._queried_at = first
        return done

    def _requery_on(self, index: int, start: float) -> StreamFrame:
        self._requery = False
        self._queried_at = index
        prompts = self._query(list(self.recent))
        features = self._features(self.recent[-1])
        tracked = self.tracker.step(features, self.frame_size)
        if len(prompts):
            found = self.tracker.preview(features, prompts, self.frame_size)
            matches = match_objects(found.masks, tracked.masks,
                                    self.match_iou)
            room = self.max_objects - len(tracked.object_ids)
            keep = [
                o for o, m in enumerate(matches)
                if m is None and found.masks[o].any()
            ][:max(room, 0)]
            if keep:
                added = self.tracker.add_objects(features, prompts[keep],
                                                 self._new_ids(len(keep)),
                                                 self.frame_size)
                tracked = _concat(tracked, added)
        frame = self._done(index, tracked, start)
        frame.answer = self.answer
        return frame

    def _query(self, frames: List[np.ndarray]) -> torch.Tensor:
        """The LLM's answer on ``frames``; returns (N, K, C) prompt tokens
        of its ``<|seg|>`` objects."""
        request = InferenceRequest(
            np.stack(frames), self.text, points=self.points, boxes=self.boxes)
        try:
            packed = self.inferencer.preprocess(request, 0)
        except ValueError as e:
            raise ValueError(f'The LLM query on {len(frames)} frame(s) of '
                             f'the stream failed: {e}') from e
        data = self.model.data_preprocessor(
            dict(
                inputs=[packed['inputs']],
                data_samples=[packed['data_samples']]),
            training=False)
        out = self.model.generate(
            data['inputs'],
            data['data_samples'],
            decode_masks=False,
            **self.generation)[0]
        tokenizer = self.inferencer.processor.tokenizer
        self.answer = tokenizer.decode(self.model.answer_ids(out.ids))
        if out.seg_prompts is None:
            return torch.zeros(0)
        return out.seg_prompts[:self.max_objects]

    def _new_ids(self, num: int) -> List[int]:
        ids = list(range(self._next_id, self._next_id + num))
        self._next_id += num
        return ids

    def _done(self, index: int, masks: StreamMasks,
              start: float) -> StreamFrame:
        return StreamFrame(index, masks.masks, masks.scores,
                           list(masks.object_ids),
                           time.perf_counter() - start)


def _concat(first: StreamMasks, second: StreamMasks) -> StreamMasks:
    return StreamMasks(first.object_ids + second.object_ids,
                       torch.cat([first.masks, second.masks]),
                       torch.cat([first.scores, second.scores]))
