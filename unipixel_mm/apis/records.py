"""What the inference API takes and gives: one request, one result."""
from dataclasses import dataclass, field
from typing import List, Sequence, Tuple, Union

import numpy as np
import torch

Media = Union[str, np.ndarray, Sequence[np.ndarray], Sequence[str]]


@dataclass
class InferenceRequest:
    """One request: a medium, a text and optional visual prompts.

    Attributes:
        media: an image or video file, a folder of frames, a list of frame
            files, an (H, W, 3) image or (T, H, W, 3) frames (uint8 RGB).
        text (str): the instruction or question. Write one ``<|ref|>`` where
            each point / box prompt is meant (in the order given); without
            any, ``[i] <|ref|>`` references are put before the text. Mask
            prompts are introduced as ``[i]`` regions automatically.
        points: (x, y, frame) in pixels of the original frame.
        boxes: (x1, y1, x2, y2, frame).
        masks: (mask, frame) with an (H, W) bool array or a PNG path.
        segment_first (bool): PixelQA: segment and track the point / box
            prompted objects first (named ``[0]``, ``[1]``... as in the
            text), then answer the text with those masks as mask prompts;
            the result's masks are the objects'. Defaults to False.
    """
    media: Media
    text: str
    points: Sequence[Tuple[float, float, int]] = ()
    boxes: Sequence[Tuple[float, float, float, float, int]] = ()
    masks: Sequence[Tuple[Union[np.ndarray, str], int]] = ()
    segment_first: bool = False


@dataclass
class InferenceResult:
    """The answer to one request.

    Attributes:
        text (str): the generated answer (special tokens kept).
        masks (Tensor): (N, T, H, W) bool, one masklet per ``<|seg|>`` at the
            original resolution, on the sampled frames.
        scores (Tensor): (N, T) object-presence logits.
        frames (np.ndarray): (T, H, W, 3) uint8, the sampled frames.
        frame_inds (list[int]): the index of each sampled frame in the media.
        prompts (dict): the request's points / boxes / masks with their
            sampled-frame index, for drawing.
    """
    text: str
    masks: torch.Tensor
    scores: torch.Tensor
    frames: np.ndarray
    frame_inds: List[int]
    prompts: dict = field(default_factory=dict)
