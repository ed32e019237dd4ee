"""The Qwen3-VL side of the token protocol: the video placeholder with time
stamps, and a tiny Qwen3-VL processor.

Qwen3-VL encodes time as text: the processor writes a video as its temporal
groups (two frames each), every group ``<t seconds><|vision_start|>
<|video_pad|>...<|vision_end|>`` with the group's mean time. The UniPixel
tokens (``<|ref|>``, ``<|seg|>``, ``<|mem|>``) are added to a Qwen3-VL
processor by :func:`~unipixel_mm.datasets.tokenizer.build_processor` as to a
Qwen2.5-VL one (after its vocabulary: ids 151669-151671 for the released
Qwen3-VL tokenizers).
"""
import os.path as osp
from functools import lru_cache
from typing import Dict, Optional, Sequence, Tuple

import torch

from unipixel_mm.registry import FUNCTIONS
from .tokenizer import build_processor, save_processor, tiny_tokenizer

#: ChatML as the Qwen3-VL instruct template renders plain conversations
#: (no default system turn; images and videos as one placeholder each).
QWEN3_VL_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}"
    "{{ message['content'] }}<|im_end|>\n"
    "{% else %}"
    "{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}"
    "{% endif %}"
    "{% endfor %}"
    "<|im_end|>\n"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def is_qwen3_processor(processor) -> bool:
    """Whether ``processor`` writes videos the Qwen3-VL way (time stamps)."""
    from transformers import Qwen3VLProcessor
    return isinstance(processor, Qwen3VLProcessor)


def video_timestamps(processor,
                     grid_t: int,
                     frame_inds: Optional[Sequence[int]] = None,
                     second_per_grid_ts: Optional[float] = None) -> list:
    """Seconds of each temporal group of a video, as Qwen3-VL's processor
    computes them (the mean time of the group's first and last frame).

    Args:
        processor: a ``Qwen3VLProcessor``.
        grid_t (int): the video's temporal groups.
        frame_inds (Sequence[int], optional): the frames the encoder saw,
            in units of ``1 / fps``; ``range(grid_t * temporal_patch)`` by
            default.
        second_per_grid_ts (float, optional): seconds per temporal group,
            which sets the frame rate (``temporal_patch / fps``); the video
            processor's ``fps`` by default.

    Returns:
        list[float]: ``grid_t`` time stamps.
    """
    video = processor.video_processor
    t_patch = video.temporal_patch_size
    fps = t_patch / second_per_grid_ts if second_per_grid_ts else video.fps
    inds = list(frame_inds if frame_inds is not None else range(grid_t *
                                                                t_patch))
    stamps = processor._calculate_timestamps(inds, fps, t_patch)
    if len(stamps) != grid_t:
        raise ValueError(f'{len(inds)} frame indices make {len(stamps)} '
                         f'temporal groups, the video has {grid_t}')
    return stamps


def expand_video_placeholder(processor,
                             text: str,
                             grid_thw: torch.Tensor,
                             frame_inds: Optional[Sequence[int]] = None,
                             second_per_grid_ts: Optional[float] = None
                             ) -> str:
    """Expand the first video placeholder of a rendered chat text.

    Qwen2.5-VL: ``<|video_pad|>`` repeated once per merged token. Qwen3-VL:
    ``<|vision_start|><|video_pad|><|vision_end|>`` becomes one
    ``<t seconds><|vision_start|><|video_pad|> x (h * w / merge^2)
    <|vision_end|>`` per temporal group (see :func:`video_timestamps`).

    Args:
        processor: the Qwen2.5-VL or Qwen3-VL processor.
        text (str): the rendered text.
        grid_thw (Tensor): (3,) the video's patch grid.
        frame_inds, second_per_grid_ts: the frames' times, see
            :func:`video_timestamps` (Qwen3-VL only).

    Returns:
        str: the text with the placeholder expanded.
    """
    merge = processor.video_processor.merge_size
    token = processor.video_token
    grid_t, grid_h, grid_w = (int(v) for v in grid_thw)
    if not is_qwen3_processor(processor):
        return text.replace(token, token * (grid_t * grid_h * grid_w //
                                            merge**2), 1)
    start, end = processor.vision_start_token, processor.vision_end_token
    frame = start + token * (grid_h * grid_w // merge**2) + end
    stamps = video_timestamps(processor, grid_t, frame_inds,
                              second_per_grid_ts)
    video = ''.join(f'<{t:.1f} seconds>' + frame for t in stamps)
    placeholder = start + token + end
    if placeholder not in text:
        raise ValueError(f'the text has no "{placeholder}" to expand')
    return text.replace(placeholder, video, 1)


@lru_cache(maxsize=None)
def _write_tiny_qwen3_processor(save_dir: str) -> None:
    """Writes the tiny Qwen3-VL processor files once per process."""
    from transformers import (Qwen2VLImageProcessorFast, Qwen3VLProcessor,
                              Qwen3VLVideoProcessor)

    size = dict(shortest_edge=64 * 64, longest_edge=32 * 32 * 256)
    image_processor = Qwen2VLImageProcessorFast(
        size=size,
        patch_size=16,
        temporal_patch_size=2,
        merge_size=2,
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5])
    # the data pipeline samples the frames itself
    video_processor = Qwen3VLVideoProcessor(
        size=dict(size),
        patch_size=16,
        temporal_patch_size=2,
        merge_size=2,
        do_sample_frames=False)
    processor = Qwen3VLProcessor(
        image_processor=image_processor,
        tokenizer=tiny_tokenizer(),
        video_processor=video_processor,
        chat_template=QWEN3_VL_CHAT_TEMPLATE)
    save_processor(processor, save_dir)


def build_tiny_qwen3_processor(
        save_dir: str) -> Tuple[object, Dict[str, int]]:
    """Builds, saves and reloads a tiny Qwen3-VL processor.

    The tiny tokenizer of :func:`~.tokenizer.build_tiny_processor` (the same
    256 ids, so the tiny model configs' token ids hold) with Qwen3-VL's
    processors: patch size 16, merge size 2, temporal patch size 2, mean and
    std 0.5, and :data:`QWEN3_VL_CHAT_TEMPLATE`.

    Args:
        save_dir (str): Directory that ``save_pretrained`` writes to.

    Returns:
        tuple: ``(processor, token_ids)`` as :func:`~.tokenizer.
        build_processor` returns them for ``save_dir``.
    """
    _write_tiny_qwen3_processor(osp.abspath(save_dir))
    return build_processor(save_dir)


FUNCTIONS.register_module(module=build_tiny_qwen3_processor)
