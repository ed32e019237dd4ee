"""Track objects with SAM2 through frames that arrive one at a time."""
import sys
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from .sam2_decoder import FrameFeatures, HeadOutput, SAM2Decoder

# Passed as ``num_frames`` to ``SAM2Decoder.track``: in forward tracking it
# only bounds the object-pointer lookback, ``min(num_frames, 16)`` pointers
# back while ``frame - lookback >= 0``, so any bound above every frame index
# gives what a whole clip of 16 frames or more gives.
UNBOUNDED_FRAMES = sys.maxsize


@dataclass
class StreamMasks:
    """Masks of all tracked objects on one frame.

    Attributes:
        object_ids (list[int]): id of each object, in row order.
        masks (Tensor): (O, H, W) bool at the requested size.
        scores (Tensor): (O,) object-presence logits.
    """
    object_ids: List[int]
    masks: torch.Tensor
    scores: torch.Tensor


class _TrackGroup:
    """Objects prompted on the same frame, tracked as one SAM2 batch.

    A thin driver of :meth:`SAM2Decoder.track`: every :meth:`step` hands the
    newest frame's features to the generator and takes its output, so the
    track's frame 0 (the conditioning frame, which reads the prompt tokens)
    is the frame of the first step.
    """

    def __init__(self, decoder: SAM2Decoder, prompt_tokens: torch.Tensor,
                 object_ids: Sequence[int]) -> None:
        self.object_ids = list(object_ids)
        self.memory: Dict[str, dict] = dict(
            cond_frame_outputs={}, non_cond_frame_outputs={})
        self._features: Optional[FrameFeatures] = None
        self._steps: Iterator[Tuple[int, HeadOutput]] = decoder.track(
            lambda t: self._features,
            prompt_tokens,
            UNBOUNDED_FRAMES,
            memory=self.memory)

    def step(self, features: FrameFeatures) -> HeadOutput:
        """Track the group on the next frame.

        Args:
            features (FrameFeatures): the frame's features with batch 1.

        Returns:
            HeadOutput: the heads' output, batch O of the group.
        """
        feats, pos, sizes = features
        num = len(self.object_ids)
        self._features = ([x.expand(-1, num, -1) for x in feats],
                          [x.expand(-1, num, -1) for x in pos], sizes)
        _, heads = next(self._steps)
        self._features = None
        return heads


class SAM2StreamTracker:
    """Segment and track objects through a stream of frames with SAM2.

    Each pushed frame costs one image-encoder pass, shared by all objects,
    plus memory attention and mask decoding per group of objects prompted on
    the same frame. Every group keeps only its conditioning frame and the
    frames that SAM2's memory window can still read (see
    :meth:`SAM2Decoder._memory_window`), so the memory held does not grow
    with the length of the stream.

    Objects are added in groups (:meth:`add_objects`): a group's prompt
    tokens condition SAM2 on the frame it is added on, exactly as frame 0 of
    a whole-clip :meth:`SAM2Decoder.predict` run; a group added on the first
    frame and stepped on every frame therefore gives the masks that
    ``predict`` gives on the whole clip (of at least 16 frames; SAM2 reads
    at most ``min(T, 16)`` object pointers).

    Args:
        decoder (SAM2Decoder): the mask decoder (in eval mode).
    """

    def __init__(self, decoder: SAM2Decoder) -> None:
        self.decoder = decoder
        self.groups: List[_TrackGroup] = []

    @property
    def object_ids(self) -> List[int]:
        """Ids of the tracked objects, in the row order of the masks."""
        return [i for group in self.groups for i in group.object_ids]

    def encode(self, frame: torch.Tensor) -> FrameFeatures:
        """Image-encoder features of one frame.

        Args:
            frame (Tensor): (3, S, S) SAM2-normalised frame.

        Returns:
            FrameFeatures: per level (HW, 1, C) features and positions.
        """
        return self.decoder.encode_frames(frame[None])

    def add_objects(self, features: FrameFeatures,
                    prompt_tokens: torch.Tensor, object_ids: Sequence[int],
                    size: Tuple[int, int]) -> StreamMasks:
        """Start tracking new objects, conditioned on this frame.

        Args:
            features (FrameFeatures): the frame's features (batch 1).
            prompt_tokens (Tensor): (O, K, C) prompt tokens.
            object_ids (Sequence[int]): O ids of the new objects.
            size (tuple[int, int]): (H, W) of the returned masks.

        Returns:
            StreamMasks: the new objects' masks on this frame.
        """
        if len(object_ids) != prompt_tokens.size(0):
            raise ValueError(f'{prompt_tokens.size(0)} prompt tokens for '
                             f'{len(object_ids)} object ids')
        group = _TrackGroup(self.decoder, prompt_tokens, object_ids)
        masks = self._masks([group.step(features)], group.object_ids, size)
        self.groups.append(group)
        return masks

    def preview(self, features: FrameFeatures, prompt_tokens: torch.Tensor,
                size: Tuple[int, int]) -> StreamMasks:
        """The masks prompt tokens give on this frame, without tracking them
        (e.g. to match them with the tracked objects first).

        Args:
            features (FrameFeatures): the frame's features (batch 1).
            prompt_tokens (Tensor): (O, K, C) prompt tokens.
            size (tuple[int, int]): (H, W) of the returned masks.

        Returns:
            StreamMasks: masks with ids 0..O-1.
        """
        group = _TrackGroup(self.decoder, prompt_tokens,
                            range(prompt_tokens.size(0)))
        return self._masks([group.step(features)], group.object_ids, size)

    def step(self, features: FrameFeatures,
             size: Tuple[int, int]) -> StreamMasks:
        """Track every object already added on a new frame.

        Args:
            features (FrameFeatures): the frame's features (batch 1).
            size (tuple[int, int]): (H, W) of the returned masks.

        Returns:
            StreamMasks: all objects' masks on this frame (none tracked:
            O = 0).
        """
        heads = [group.step(features) for group in self.groups]
        return self._masks(heads, self.object_ids, size)

    def _masks(self, heads: List[HeadOutput], object_ids: List[int],
               size: Tuple[int, int]) -> StreamMasks:
        if not heads:
            return StreamMasks([], torch.zeros(0, *size, dtype=torch.bool),
                               torch.zeros(0))
        logits = torch.cat([h.low_res_masks for h in heads]).float()
        logits = F.interpolate(
            logits, size=size, mode='bilinear', align_corners=False)
        scores = torch.cat([h.object_score_logits[:, 0] for h in heads])
        return StreamMasks(object_ids, (logits[:, 0] > 0).cpu(),
                           scores.float().cpu())

    def state_tensors(self) -> List[torch.Tensor]:
        """Every tensor the memory banks hold (for accounting)."""
        tensors = []
        for group in self.groups:
            for outputs in group.memory.values():
                for out in outputs.values():
                    for value in out.values():
                        items = value if isinstance(value, list) else [value]
                        tensors += [x for x in items if x is not None]
        return tensors

    def state_bytes(self) -> int:
        """Bytes held by the memory banks of all groups."""
        return sum(x.numel() * x.element_size() for x in self.state_tensors())
