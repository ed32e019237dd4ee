"""Loading transforms: frames from images, frame folders or videos, and masks.

Every sample is a video here: an image is a one-frame video. The frames of a
sample are a *candidate list* (the frames of a video file or folder, an
explicit list of frame files, or an in-memory array); object masks are
annotated per candidate frame, and :class:`LoadFrames` records which
candidates it sampled in ``frame_inds`` so that :class:`LoadObjectMasks`
decodes the masks of the same frames.

A sample without any visual source is a text-only conversation (the
LLaVA-665K entries without an image or a video): every transform of the
standard pipeline passes it through without frames, pixels or objects, see
:func:`text_only`.
"""
import importlib.util
import logging
import math
import os
import os.path as osp
import re
from typing import List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log
from PIL import Image

from unipixel_mm.deprecation import rename_deprecated_keys
from unipixel_mm.registry import TRANSFORMS

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')


def describe(results: dict) -> str:
    """Names a sample in error messages: its annotation entry and source.

    Args:
        results (dict): The pipeline's results; uses ``entry`` (set by the
            data sets), else ``sample_idx``, and the visual source path.

    Returns:
        str: E.g. ``"refcoco sent_id 12 (images/COCO_1.jpg)"``.
    """
    name = results.get('entry', f"sample {results.get('sample_idx', '?')}")
    for key in ('img_path', 'video_path'):
        if results.get(key):
            return f'{name} ({results[key]})'
    if results.get('frame_paths'):
        return f"{name} ({osp.dirname(results['frame_paths'][0])})"
    return str(name)


#: Keys of a sample's visual source, see :class:`LoadFrames`.
MEDIUM_KEYS = ('frames', 'img_path', 'frame_paths', 'video_path')


def has_medium(results: dict) -> bool:
    """Whether a sample has a visual source (in-memory frames, an image,
    frame files or a video).

    Args:
        results (dict): The pipeline's results.

    Returns:
        bool: True if ``frames`` is set or ``img_path``, ``frame_paths`` or
        ``video_path`` is not empty.
    """
    return results.get('frames') is not None or any(
        results.get(k) for k in MEDIUM_KEYS[1:])


def text_only(results: dict, inputs: Sequence[str] = ()) -> bool:
    """Whether a sample is a text-only conversation, checking that it can be.

    A sample without a visual source (:func:`has_medium`) is a plain
    conversation (``task='chat'``) or a corrupt annotation: objects, visual
    prompts, segmentation targets and the other task forms need an image or
    a video.

    Args:
        results (dict): The pipeline's results.
        inputs (Sequence[str]): Keys of the visual inputs a transform reads
            (e.g. ``sam2_frames``); a sample holding any of them is not
            text-only.

    Returns:
        bool: True if the sample has no visual source and none of
        ``inputs``.

    Raises:
        ValueError: Naming the entry, when a sample without a visual source
            needs one.
    """
    if has_medium(results) or any(
            results.get(k) is not None for k in inputs):
        return False
    needs = []
    if results.get('objects'):
        needs.append(f"{len(results['objects'])} object(s)")
    if results.get('prompt_type') is not None:
        needs.append(f"prompt_type={results['prompt_type']!r}")
    if results.get('seg_targets'):
        needs.append('segmentation targets')
    if results.get('task', 'chat') != 'chat':
        needs.append(f"task={results['task']!r}")
    if needs:
        raise ValueError(f'{describe(results)}: no image or video (frames, '
                         'img_path, frame_paths or video_path) but the '
                         f"sample needs one for its {', '.join(needs)}")
    return True


def with_context(err: Exception, context: str) -> Exception:
    """The same kind of error with ``context`` before its message.

    Args:
        err (Exception): The error raised.
        context (str): What failed, e.g. the sample's :func:`describe`.

    Returns:
        Exception: To raise ``from err``; a ``RuntimeError`` when the error
        type cannot be built from a message.
    """
    try:
        return type(err)(f'{context}: {err}')
    except TypeError:
        return RuntimeError(f'{context}: {err}')


def sample_frame_inds(num_total: int,
                      num_frames: int,
                      sample_type: str = 'uniform') -> List[int]:
    """Chooses ``num_frames`` of ``num_total`` frames, in temporal order.

    ``'uniform'`` takes evenly spaced frames including the first and the
    last; ``'random'`` splits the frames into ``num_frames`` even segments and
    takes a random frame of each. All frames are kept when there are no more
    than ``num_frames`` (or ``num_frames <= 0``).

    Args:
        num_total (int): Number of candidate frames.
        num_frames (int): Number of frames to keep.
        sample_type (str): ``'uniform'`` or ``'random'``.

    Returns:
        list[int]: Sorted candidate indices.
    """
    if num_frames <= 0 or num_total <= num_frames:
        return list(range(num_total))
    if sample_type == 'uniform':
        return np.linspace(0, num_total - 1, num_frames).round().astype(
            int).tolist()
    if sample_type == 'random':
        edges = np.linspace(0, num_total - 1,
                            num_frames + 1).round().astype(int)
        return [
            int(np.random.randint(s, max(s + 1, e)))
            for s, e in zip(edges[:-1], edges[1:])
        ]
    raise ValueError(f'unknown sample_type {sample_type!r}')


def keep_required(inds: List[int], num_total: int,
                  required: Union[int, Sequence[int]]) -> List[int]:
    """Sampled frames with the ``required`` candidates among them.

    Each required candidate that is not sampled replaces the nearest
    sampled frame that is not required itself (the earlier one on a tie),
    as the reference does for the frame of a prompt.

    Args:
        inds (list[int]): Sorted sampled candidate indices.
        num_total (int): Number of candidate frames.
        required (int | Sequence[int]): Candidates that must be kept.

    Returns:
        list[int]: Sorted candidate indices, as many as ``inds``.

    Raises:
        ValueError: When a required frame is out of range, or more frames
            are required than are sampled.
    """
    required = [int(required)] if isinstance(
        required, (int, np.integer)) else [int(f) for f in required]
    inds = list(inds)
    for frame in required:
        if not 0 <= frame < num_total:
            raise ValueError(f'required frame {frame} is out of range '
                             f'({num_total} candidate frames)')
        if frame in inds:
            continue
        free = [k for k, i in enumerate(inds) if i not in required]
        if not free:
            raise ValueError(f'{len(set(required))} frames are required '
                             f'({sorted(set(required))}) but only '
                             f'{len(inds)} are sampled')
        inds[min(free, key=lambda k: abs(inds[k] - frame))] = frame
    return sorted(inds)


def fps_frame_inds(num_total: int,
                   video_fps: float,
                   fps: float = 2.0,
                   min_frames: int = 4,
                   max_frames: int = 16,
                   frame_factor: int = 2) -> Tuple[List[int], float]:
    """The frames of a video file that Qwen2.5-VL's fps rule samples.

    The rule of ``qwen_vl_utils`` (``smart_nframes``) that the reference's
    ``process_vision_info`` applies to a video file: ``fps`` frames per
    second of the video, at least ``min_frames`` (rounded up to a multiple
    of ``frame_factor``), at most ``max_frames`` (rounded down) and the
    video's frames, rounded down to a multiple of ``frame_factor``; spread
    evenly (``torch.linspace(0, num_total - 1, n).round()``).

    Args:
        num_total (int): Frames of the video.
        video_fps (float): Its frame rate.
        fps (float): Frames per second to sample. Defaults to 2.
        min_frames (int): Least frames. Defaults to 4.
        max_frames (int): Most frames. Defaults to 16 (the reference's
            ``max_frames`` of MVBench / Video-MME).
        frame_factor (int): The number is a multiple of it. Defaults to 2.

    Returns:
        tuple[list[int], float]: The frame indices and the rate they sample
        the video at (``n / num_total * video_fps``), which sets
        ``second_per_grid_ts``.
    """
    if num_total <= 0 or video_fps <= 0:
        raise ValueError(f'a video of {num_total} frames at {video_fps} fps '
                         'cannot be sampled')
    least = math.ceil(min_frames / frame_factor) * frame_factor
    most = math.floor(max_frames / frame_factor) * frame_factor
    num = num_total / video_fps * fps
    num = min(min(max(num, least), most), num_total)
    num = math.floor(num / frame_factor) * frame_factor
    if not frame_factor <= num <= num_total:
        raise ValueError(f'the fps rule gives {num} frames, not in '
                         f'[{frame_factor}, {num_total}]')
    # float32 linspace and round-half-to-even, as the rule computes them
    inds = torch.linspace(0, num_total - 1, num).round().long().tolist()
    return inds, num / num_total * video_fps


def stride_frame_inds(num_total: int, num_frames: int = 32) -> List[int]:
    """Every ``num_total // (num_frames - 1)``-th frame from the first, at
    most ``num_frames``: the reference's frames of MVBench's frame-folder
    task (``mvbench.py``: ``range(1, n + 1, n // (k - 1))[:k]``, 1-based).

    The reference fails for fewer than ``num_frames - 1`` frames (a stride
    of 0); all of them are taken then.

    Args:
        num_total (int): Frames in the folder.
        num_frames (int): Most frames. Defaults to 32.

    Returns:
        list[int]: Candidate indices, e.g. ``[0, 3, 6, ..., 93]`` for 100
        frames.
    """
    step = max(1, num_total // max(1, num_frames - 1))
    return list(range(0, num_total, step))[:num_frames]


def _frame_number(path: str) -> Tuple[int, str]:
    """Sort key of a frame file: the number in its name, then the name."""
    stem = osp.splitext(osp.basename(path))[0]
    digits = re.sub(r'^\D*', '', stem)
    return (int(digits) if digits.isdigit() else -1, stem)


def list_frame_files(folder: str) -> List[str]:
    """Lists the image files of a frame folder in frame-number order.

    Args:
        folder (str): Directory of frames such as ``00000.jpg``.

    Returns:
        list[str]: Paths sorted by the number in their names.
    """
    files = [
        osp.join(folder, f) for f in os.listdir(folder)
        if f.lower().endswith(IMAGE_EXTENSIONS)
    ]
    return sorted(files, key=_frame_number)


def read_image(path: str) -> np.ndarray:
    """Reads an image file as RGB.

    Args:
        path (str): Image file.

    Returns:
        np.ndarray: (H, W, 3) uint8.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'image file not found: {path}')
    with Image.open(path) as img:
        return np.array(img.convert('RGB'))


class VideoReader:
    """Random access to the frames of a video file (decord, else PyAV).

    Attributes:
        num_frames (int): Frames of the video.
        fps (float): Its average frame rate (0 when unknown).

    Args:
        path (str): Video file.
        backend (str): ``'decord'``, ``'pyav'`` or ``'auto'`` (decord when it
            is installed).
    """

    def __init__(self, path: str, backend: str = 'auto') -> None:
        if not osp.isfile(path):
            raise FileNotFoundError(f'video file not found: {path}')
        if backend == 'auto':
            backend = 'decord' if importlib.util.find_spec(
                'decord') else 'pyav'
        self.path = path
        self.backend = backend
        if backend == 'decord':
            import decord
            self._reader = decord.VideoReader(path, num_threads=1)
            self.num_frames = len(self._reader)
            self.fps = float(self._reader.get_avg_fps())
        elif backend == 'pyav':
            self.num_frames = self._count_pyav()
            self.fps = self._fps_pyav()
        else:
            raise ValueError(f'unknown video backend {backend!r}')

    def _count_pyav(self) -> int:
        av = _import_av()
        with av.open(self.path) as container:
            stream = container.streams.video[0]
            if stream.frames > 0:
                return stream.frames
            return sum(1 for p in container.demux(stream) if p.size > 0)

    def _fps_pyav(self) -> float:
        av = _import_av()
        with av.open(self.path) as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            return float(rate) if rate else 0.0

    def get_frames(self, inds: Sequence[int]) -> np.ndarray:
        """Decodes frames.

        Args:
            inds (Sequence[int]): Frame indices.

        Returns:
            np.ndarray: (len(inds), H, W, 3) uint8 RGB.
        """
        if self.backend == 'decord':
            return self._reader.get_batch(list(inds)).asnumpy()
        av = _import_av()
        wanted = set(inds)
        decoded, count = {}, 0
        with av.open(self.path) as container:
            for count, frame in enumerate(container.decode(video=0), 1):
                if count - 1 in wanted:
                    decoded[count - 1] = frame.to_ndarray(format='rgb24')
                if len(decoded) == len(wanted):
                    break
        missing = sorted(wanted - decoded.keys())
        if missing:
            raise ValueError(f'video {self.path} has no frames {missing} '
                             f'(decoded {count})')
        return np.stack([decoded[i] for i in inds])


def _import_av():
    try:
        import av
    except ImportError as e:
        raise ImportError('reading video files needs PyAV or decord: '
                          '`pip install av`') from e
    return av


@TRANSFORMS.register_module()
class LoadFrames(BaseTransform):
    """Loads and samples the frames of an image, a frame list or a video.

    Required keys (one of):
        - ``frames`` (np.ndarray): (N, H, W, 3) uint8 RGB, in memory.
        - ``img_path`` (str): an image; one frame.
        - ``frame_paths`` (list[str]): the frame files of a video.
        - ``video_path`` (str): a video file or a folder of frame files.
        - optional ``candidate_frame_inds`` (list[int]): with
          ``video_path``, the video frames that are candidates (the annotated
          frames); all by default. (``frame_ids``, its name in 0.1, is
          read with a ``DeprecationWarning``.)
        - optional ``frame_stride`` (int): with ``video_path`` (and no
          ``candidate_frame_inds``), every n-th frame is a candidate (SA-V
          masklets are annotated on every 4th frame).
        - optional ``required_frame`` (int | list[int]): candidates that
          must be sampled (the frames prompts are drawn on); each replaces
          the nearest sampled frame that is not required itself, as the
          reference does for one.
        - optional ``frame_sampling`` (dict): ``sample_type`` and
          ``num_frames`` of this sample, replacing the transform's (e.g.
          MVBench's frame-folder task: ``dict(sample_type='stride',
          num_frames=32)``).

    A sample with none of them is a text-only conversation: it passes
    through without the added keys (a ``ValueError`` if it needs a visual
    input, see :func:`text_only`).

    Added keys:
        - ``frames`` (np.ndarray): (T, H, W, 3) uint8 RGB, sampled.
        - ``frame_inds`` (list[int]): the candidate index of each frame.
        - ``frame_size`` (tuple[int, int]): (H, W).
        - ``sample_fps`` (float): with ``sample_type='fps'``, the rate the
          frames sample the video at (sets ``second_per_grid_ts`` in
          :class:`~.processing.QwenVideoProcess`).

    Args:
        num_frames (int | tuple[int, int]): Frames to keep; a pair draws the
            number uniformly from the closed range; -1 keeps all. Defaults
            to -1. Unused by ``'fps'``.
        sample_type (str): ``'uniform'`` or ``'random'`` (see
            :func:`sample_frame_inds`), ``'fps'`` (Qwen2.5-VL's rule for
            video files, :func:`fps_frame_inds`, with ``fps``,
            ``min_frames`` and ``max_frames``; the video's frame rate comes
            from the file or a ``video_fps`` key) or ``'stride'``
            (:func:`stride_frame_inds`). Defaults to ``'uniform'``.
        fps (float): Frames per second of ``'fps'``. Defaults to 2.
        min_frames (int): Least frames of ``'fps'``. Defaults to 4.
        max_frames (int): Most frames of ``'fps'``. Defaults to 16.
        backend (str): Video backend, see :class:`VideoReader`.
    """

    SAMPLE_TYPES = ('uniform', 'random', 'fps', 'stride')

    def __init__(self,
                 num_frames: Union[int, Tuple[int, int]] = -1,
                 sample_type: str = 'uniform',
                 fps: float = 2.0,
                 min_frames: int = 4,
                 max_frames: int = 16,
                 backend: str = 'auto') -> None:
        if sample_type not in self.SAMPLE_TYPES:
            raise ValueError(f'unknown sample_type {sample_type!r}')
        self.num_frames = num_frames
        self.sample_type = sample_type
        self.fps = fps
        self.min_frames = min_frames
        self.max_frames = max_frames
        self.backend = backend

    def _sampling(self, results: dict) -> Tuple[str, int]:
        """The sample type and number of frames of this sample."""
        override = results.get('frame_sampling') or {}
        sample_type = override.get('sample_type', self.sample_type)
        if sample_type not in self.SAMPLE_TYPES:
            raise ValueError(f'{describe(results)}: unknown sample_type '
                             f'{sample_type!r}')
        num = override.get('num_frames', self.num_frames)
        if isinstance(num, (tuple, list)):
            low, high = num
            num = np.random.randint(low, high + 1)
        return sample_type, int(num)

    def transform(self, results: dict) -> dict:
        """Loads the frames; see the class docstring for the keys."""
        rename_deprecated_keys(results, describe(results))
        if text_only(results):
            return results
        try:
            frames, inds = self._load(results, *self._sampling(results))
        except (OSError, ValueError) as e:
            raise with_context(e, describe(results)) from e
        if len(frames) == 0:
            raise ValueError(f'{describe(results)}: no frames to load')
        results['frames'] = np.ascontiguousarray(frames, dtype=np.uint8)
        results['frame_inds'] = [int(i) for i in inds]
        results['frame_size'] = tuple(frames.shape[1:3])
        return results

    def _load(self, results: dict, sample_type: str,
              num: int) -> Tuple[np.ndarray, List[int]]:
        """Reads the sampled frames and their candidate indices."""
        if results.get('frames') is not None:
            candidates = np.asarray(results['frames'])
            if candidates.ndim != 4 or candidates.shape[-1] != 3:
                raise ValueError('in-memory frames must be (N, H, W, 3), '
                                 f'got {candidates.shape}')
            inds = self._sample(len(candidates), sample_type, num, results)
            return candidates[inds], inds
        if results.get('img_path'):
            return read_image(results['img_path'])[None], [0]
        video_path = results.get('video_path')
        if results.get('frame_paths') or (video_path
                                          and osp.isdir(video_path)):
            paths = results.get('frame_paths') or list_frame_files(video_path)
            paths = self._select_ids(paths, results)
            inds = self._sample(len(paths), sample_type, num, results)
            return self._read_files([paths[i] for i in inds]), inds
        reader = VideoReader(video_path, self.backend)
        if sample_type == 'fps' and results.get('video_fps') is None:
            results['video_fps'] = reader.fps
        ids = self._select_ids(list(range(reader.num_frames)), results)
        inds = self._sample(len(ids), sample_type, num, results)
        return reader.get_frames([ids[i] for i in inds]), inds

    def _sample(self, num_total: int, sample_type: str, num: int,
                results: dict) -> List[int]:
        if sample_type == 'fps':
            if not results.get('video_fps'):
                raise ValueError("sample_type='fps' needs the video's frame "
                                 'rate: a video file or a video_fps key')
            inds, results['sample_fps'] = fps_frame_inds(
                num_total, results['video_fps'], self.fps, self.min_frames,
                self.max_frames)
        elif sample_type == 'stride':
            inds = stride_frame_inds(num_total, num)
        else:
            inds = sample_frame_inds(num_total, num, sample_type)
        required = results.get('required_frame')
        if required is None:
            return inds
        return keep_required(inds, num_total, required)

    @staticmethod
    def _select_ids(items: list, results: dict) -> list:
        ids = results.get('candidate_frame_inds')
        if not ids:
            return items[::results.get('frame_stride') or 1]
        if max(ids) >= len(items):
            raise ValueError(f'frame id {max(ids)} is out of range '
                             f'({len(items)} frames)')
        return [items[i] for i in ids]

    @staticmethod
    def _read_files(paths: List[str]) -> np.ndarray:
        frames = [read_image(path) for path in paths]
        for path, frame in zip(paths, frames):
            if frame.shape != frames[0].shape:
                raise ValueError(f'frame {path} has size {frame.shape[:2]}, '
                                 f'the first frame {frames[0].shape[:2]}')
        return np.stack(frames)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_frames={self.num_frames}, '
                f'sample_type={self.sample_type!r}, fps={self.fps}, '
                f'min_frames={self.min_frames}, '
                f'max_frames={self.max_frames}, backend={self.backend!r})')


def _import_mask_utils():
    try:
        from pycocotools import mask as mask_utils
    except ImportError as e:
        raise ImportError('decoding RLE / polygon masks needs pycocotools: '
                          '`pip install pycocotools`') from e
    return mask_utils


def resize_masks(masks: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
    """Resizes binary masks as the reference does: bilinear, then ``> 0``.

    Args:
        masks (Tensor): (..., H, W) bool or float.
        size (tuple[int, int]): Output (h, w).

    Returns:
        Tensor: (..., h, w) bool.
    """
    if tuple(masks.shape[-2:]) == tuple(size):
        return masks > 0
    if masks.numel() == 0:
        return masks.new_zeros(*masks.shape[:-2], *size, dtype=torch.bool)
    lead = masks.shape[:-2]
    flat = masks.reshape(1, -1, *masks.shape[-2:]).float()
    out = F.interpolate(
        flat, size=size, mode='bilinear', align_corners=False, antialias=True)
    return out.reshape(*lead, *size) > 0


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating))


def draw_labelme(shapes: Sequence[dict],
                 size: Tuple[int, int],
                 label: str = 'target') -> np.ndarray:
    """Rasterises LabelMe polygons labelled ``'target'`` or ``'ignore'``.

    As the reference (and LISA) does for ReasonSeg: the polygons are drawn
    from the largest to the smallest area, outline and interior, with
    integer-truncated vertices; a later (smaller) polygon overwrites an
    earlier one, so an ``'ignore'`` hole inside a target is cut out.

    Args:
        shapes (Sequence[dict]): ``label`` (``'target'`` / ``'ignore'``) and
            ``points`` ([[x, y], ...] in pixels).
        size (tuple[int, int]): (H, W) of the canvas.
        label (str): Which pixels to return. Defaults to ``'target'``.

    Returns:
        np.ndarray: (H, W) bool, the pixels last drawn as ``label`` (the
        reference's 1 / -1 values; its evaluation leaves the ``'ignore'``
        pixels out of the intersection and the union).
    """
    polygons, areas = [], []
    for i, shape in enumerate(shapes):
        if shape.get('label') not in ('target', 'ignore'):
            raise ValueError(f"shape {i}: label {shape.get('label')!r} is "
                             "neither 'target' nor 'ignore'")
        points = np.asarray(shape['points'], dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) < 2:
            raise ValueError(f'shape {i}: points must be [[x, y], ...], got '
                             f'shape {points.shape}')
        polygon = points.astype(np.int32)[None]
        canvas = np.zeros(size, dtype=np.uint8)
        cv2.polylines(canvas, polygon, True, 1, 1)
        cv2.fillPoly(canvas, polygon, 1)
        polygons.append((polygon, 1 if shape['label'] == 'target' else 2))
        areas.append(int(canvas.sum()))
    canvas = np.zeros(size, dtype=np.uint8)
    # largest first, in the reference's order (argsort reversed)
    for i in np.argsort(areas)[::-1]:
        polygon, value = polygons[i]
        cv2.polylines(canvas, polygon, True, value, 1)
        cv2.fillPoly(canvas, polygon, value)
    return canvas == (1 if label == 'target' else 2)


def decode_ignore(entry, frame_size: Tuple[int, int],
                  ann_size: Optional[Tuple[int, int]] = None) -> np.ndarray:
    """The ``'ignore'`` pixels of a LabelMe annotation (ReasonSeg), at the
    frame size; none for any other annotation.

    Args:
        entry: A mask annotation, see :func:`decode_mask`.
        frame_size (tuple[int, int]): (H, W) of the frame.
        ann_size (tuple[int, int], optional): (h, w) the polygons refer to.

    Returns:
        np.ndarray: (H, W) bool.
    """
    if not (isinstance(entry, dict) and 'shapes' in entry):
        return np.zeros(frame_size, dtype=bool)
    mask = draw_labelme(entry['shapes'], tuple(ann_size or frame_size),
                        'ignore')
    if mask.shape != tuple(frame_size):
        mask = resize_masks(torch.from_numpy(mask), frame_size).numpy()
    return mask


def decode_mask(entry,
                frame_size: Tuple[int, int],
                ann_size: Optional[Tuple[int, int]] = None,
                strict_size: bool = False) -> np.ndarray:
    """Decodes one object's mask on one frame.

    Accepted entries:
        - ``None`` or ``[]``: the object is absent.
        - ``np.ndarray``: a binary (h, w) mask.
        - a COCO RLE ``dict(size=[h, w], counts=str | bytes | list)``.
        - ``dict(path=..., ids=[...])``: an index PNG; pixels whose value is
          in ``ids`` (default ``[255]``) belong to the object; or
          ``dict(label=np.ndarray, ids=[...])``, the label map read already
          (shared by the objects of a semantic map).
        - ``dict(shapes=[dict(label=..., points=[[x, y], ...]), ...])``:
          LabelMe polygons at ``ann_size``, see :func:`draw_labelme`.
        - a COCO polygon (flat list of x, y) or a list of polygons, at
          ``ann_size``.
        - a list of any of the above: their union (several regions or
          annotations of one object).

    A mask of another size than the frame is resized (bilinear, ``> 0``),
    or refused with ``strict_size``.

    Args:
        entry: The annotation, see above.
        frame_size (tuple[int, int]): (H, W) of the frame.
        ann_size (tuple[int, int], optional): (h, w) polygons refer to;
            defaults to ``frame_size``.
        strict_size (bool): raise a ``ValueError`` for a mask (RLE, array
            or PNG) of another size than the frame instead of resizing it.

    Returns:
        np.ndarray: (H, W) bool.
    """
    ann_size = tuple(ann_size or frame_size)
    if entry is None or (isinstance(entry, (list, tuple)) and not entry):
        return np.zeros(frame_size, dtype=bool)
    if isinstance(entry, np.ndarray):
        mask = entry.astype(bool)
    elif isinstance(entry, dict) and 'counts' in entry:
        mask_utils = _import_mask_utils()
        rle = entry
        if isinstance(rle['counts'], list):
            rle = mask_utils.frPyObjects(rle, *rle['size'])
        elif isinstance(rle['counts'], str):
            rle = dict(size=rle['size'], counts=rle['counts'].encode())
        mask = mask_utils.decode(rle).astype(bool)
    elif isinstance(entry, dict) and ('path' in entry or 'label' in entry):
        label = entry.get('label')
        if label is None:
            if not osp.isfile(entry['path']):
                raise FileNotFoundError(
                    f"mask file not found: {entry['path']}")
            with Image.open(entry['path']) as img:
                label = np.asarray(img)
        mask = np.isin(label, entry.get('ids', [255]))
    elif isinstance(entry, dict) and 'shapes' in entry:
        mask = draw_labelme(entry['shapes'], ann_size)
    elif isinstance(entry, (list, tuple)) and all(map(_is_number, entry)):
        return decode_mask([list(entry)], frame_size, ann_size)
    elif isinstance(entry, (list, tuple)) and all(
            isinstance(p, (list, tuple)) and p and all(map(_is_number, p))
            for p in entry):
        if any(len(p) < 6 or len(p) % 2 for p in entry):
            lengths = [len(p) for p in entry]
            raise ValueError('a polygon needs an even number (>= 6) of '
                             f'coordinates, got lengths {lengths}')
        mask_utils = _import_mask_utils()
        rles = mask_utils.frPyObjects([list(map(float, p)) for p in entry],
                                      *ann_size)
        mask = mask_utils.decode(mask_utils.merge(rles)).astype(bool)
    elif isinstance(entry, (list, tuple)):
        mask = np.zeros(frame_size, dtype=bool)
        for part in entry:
            mask |= decode_mask(part, frame_size, ann_size, strict_size)
        return mask
    else:
        raise TypeError(f'unknown mask annotation of type {type(entry)}')
    if mask.ndim != 2:
        raise ValueError(f'a mask must be 2-D, got shape {mask.shape}')
    if mask.shape != tuple(frame_size):
        if strict_size:
            raise ValueError(f'a mask of size {mask.shape[0]}x'
                             f'{mask.shape[1]} on a frame of '
                             f'{frame_size[0]}x{frame_size[1]}')
        mask = resize_masks(torch.from_numpy(mask), frame_size).numpy()
    return mask


@TRANSFORMS.register_module()
class LoadObjectMasks(BaseTransform):
    """Decodes the masks of the sample's objects on the sampled frames.

    Required keys:
        - ``objects`` (list[dict]): each with ``masks``, a list with one
          entry per candidate frame (see :func:`decode_mask`) or a dict
          ``{candidate index: entry}`` for an object annotated on a few
          frames (absent on the others); none for a plain conversation.
        - ``frame_inds``, ``frame_size`` (from :class:`LoadFrames`).
        - optional ``ann_size`` (tuple[int, int]): the (h, w) polygon
          coordinates refer to.
        - optional ``strict_mask_size`` (bool): a mask of another size than
          its frame is an error instead of being resized (your own data).
        - optional ``foreground`` (list): one entry per candidate frame, the
          annotated objects of the video (ReVOS): an RLE or a list of RLEs
          (object channels); an entry of another size than the frame is an
          error, not resized.

    A text-only sample (no frames, see :func:`text_only`) passes through,
    and so does a sample whose objects are all given by a ``prompt`` alone,
    without ``masks`` (the point / box prompts of an inference request):
    it has no ground truth.

    Added keys:
        - ``obj_masks`` (np.ndarray): (T, O, H, W) bool.
        - ``ignore_masks`` (np.ndarray): (T, H, W) bool, when an object's
          LabelMe polygons mark pixels ``'ignore'`` (ReasonSeg): pixels the
          evaluation leaves out.
        - ``foreground_masks`` (np.ndarray): (T, H, W) uint8, with
          ``foreground``: per pixel the number of channels that cover it
          (the official ReVOS script sums the stacked channels).

    Raises a ``ValueError`` naming the entry for a corrupt annotation, and
    when an object that a visual prompt is sampled from (``prompt_type`` is
    set) is absent from every sampled frame; a segmentation target that is
    absent everywhere is only logged, as the reference does.
    """

    def transform(self, results: dict) -> dict:
        """Decodes the masks; see the class docstring for the keys."""
        objects = results.get('objects', [])
        if text_only(results) or (objects and all(
                obj.get('masks') is None and obj.get('prompt') is not None
                for obj in objects)):
            return results
        frame_size = tuple(results['frame_size'])
        inds = results['frame_inds']
        masks = np.zeros((len(inds), len(objects), *frame_size), dtype=bool)
        ignore = np.zeros((len(inds), *frame_size), dtype=bool)
        for o, obj in enumerate(objects):
            entries = obj.get('masks')
            if isinstance(entries, dict):
                # sparse: {candidate index: entry}, absent elsewhere
                entries = [entries.get(i) for i in range(max(inds) + 1)]
            if entries is None or len(entries) <= max(inds):
                num = 'no' if entries is None else len(entries)
                raise ValueError(
                    f'{describe(results)}: object {o} has {num} mask '
                    f'entries, frame {max(inds)} was sampled')
            for t, i in enumerate(inds):
                try:
                    masks[t, o] = decode_mask(
                        entries[i], frame_size, results.get('ann_size'),
                        results.get('strict_mask_size', False))
                    ignore[t] |= decode_ignore(entries[i], frame_size,
                                               results.get('ann_size'))
                except (ValueError, TypeError, KeyError, OSError) as e:
                    where = f'{describe(results)}: object {o}, frame {i}'
                    raise with_context(e, where) from e
        empty = [o for o in range(masks.shape[1]) if not masks[:, o].any()]
        if empty and results.get('prompt_type'):
            raise ValueError(f'{describe(results)}: empty mask of object(s) '
                             f'{empty} on the sampled frames {inds}')
        if empty:
            print_log(
                f'{describe(results)}: empty mask of object(s) {empty}',
                logger='current',
                level=logging.WARNING)
        results['obj_masks'] = masks
        if ignore.any():
            results['ignore_masks'] = ignore
        if results.get('foreground') is not None:
            results['foreground_masks'] = self._decode_foreground(results)
        return results

    @staticmethod
    def _decode_foreground(results: dict) -> np.ndarray:
        """The (T, H, W) foreground channel counts on the sampled frames, at
        frame size."""
        frame_size = tuple(results['frame_size'])
        inds, entries = results['frame_inds'], results['foreground']
        if len(entries) <= max(inds):
            raise ValueError(f'{describe(results)}: {len(entries)} '
                             f'foreground entries, frame {max(inds)} was '
                             'sampled')
        masks = np.zeros((len(inds), *frame_size), dtype=np.uint8)
        for t, i in enumerate(inds):
            where = f'{describe(results)}: foreground of frame {i}'
            entry = entries[i]
            size = entry.get('size') if isinstance(entry, dict) else \
                getattr(entry, 'shape', None)
            if size is not None and tuple(size[:2]) != frame_size:
                raise ValueError(f'{where} has size {tuple(size[:2])}, the '
                                 f'frame {frame_size}')
            # stacked channels are summed: overlaps count more than once
            parts = entry if isinstance(entry, (list, tuple)) and all(
                isinstance(p, dict) for p in entry) else [entry]
            try:
                for part in parts:
                    masks[t] += decode_mask(part, frame_size).astype(np.uint8)
            except (ValueError, TypeError, KeyError, OSError) as e:
                raise with_context(e, where) from e
        return masks

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'
