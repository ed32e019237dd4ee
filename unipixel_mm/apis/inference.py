"""Segment, refer and answer on images and videos with a few lines of Python.

Example::

    from unipixel_mm.apis import UniPixelInferencer
    inferencer = UniPixelInferencer('path/to/UniPixel-3B')
    result = inferencer('video.mp4', 'Please segment the running dog.')
"""
import logging
import os.path as osp
import re
from typing import List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import print_log

from unipixel_mm.datasets.templates import SEG_MEMORY_PROMPTS
from unipixel_mm.datasets.tokenizer import REF_TOKEN, SEG_TOKEN, get_processor
from unipixel_mm.datasets.transforms import (FormatConversation, LoadFrames,
                                             PackUniPixelInputs,
                                             QwenVideoProcess, SAM2Resize,
                                             SamplePrompts)
from unipixel_mm.datasets.transforms.loading import (VideoReader,
                                                     list_frame_files,
                                                     read_image,
                                                     sample_frame_inds)
from unipixel_mm.engine.checkpoint import (find_resumable_checkpoint,
                                           is_readable_checkpoint)
from unipixel_mm.registry import MODELS
from unipixel_mm.utils import build_from_official, register_all_modules
from unipixel_mm.utils.hub import resolve_model_path
from unipixel_mm.utils.strict_loading import load_checkpoint_strict
from .records import InferenceRequest, InferenceResult, Media
from .stream import StreamSession

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')


def init_model(config: str,
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None,
               dtype: Optional[torch.dtype] = None,
               sam2_config: Optional[str] = None,
               precision: Optional[str] = None,
               random_weights: bool = False):
    """Build a UniPixel for inference.

    A checkpoint must fill every weight of the model
    (:func:`~unipixel_mm.utils.strict_loading.load_checkpoint_strict`); a
    config file without a checkpoint needs ``random_weights=True``.

    Args:
        config (str): an official checkpoint directory (``config.json`` +
            safetensors) or its Hugging Face hub id (e.g.
            ``'PolyU-ChenLab/UniPixel-3B'``, downloaded once into the
            Hugging Face cache), or an mmengine config file.
        checkpoint (str, optional): with a config file, an mmengine
            checkpoint (``.pth``), a training work dir (its latest
            checkpoint) or an official checkpoint directory (or hub id).
        device (str): device to put the model on.
        cfg_options (dict, optional): overrides of the config file.
        dtype (torch.dtype, optional): e.g. ``torch.bfloat16``; an official
            directory is built in its own ``torch_dtype`` by default.
        sam2_config (str, optional): SAM2 yaml of an official checkpoint
            whose ``sam2_config`` is not a config of the sam2 package.
        precision (str, optional): ``'reference'`` (SAM2 cast with the
            model; the default for official directories) or
            ``'sam2_float32'`` (SAM2 kept float32; the default of configs).
        random_weights (bool): run a config file's model on its random
            initial weights, without a checkpoint (for tests and demos).

    Returns:
        UniPixel: the model in eval mode.

    Raises:
        FileNotFoundError: When the config or the checkpoint is missing (a
            hub id neither cached nor downloadable).
        ValueError: When a config file has no checkpoint and
            ``random_weights`` is not set, or an official directory is
            given a checkpoint too.
        CheckpointMismatchError: When the checkpoint does not fill the
            model.
    """
    config, checkpoint = check_model_files(config, checkpoint, random_weights)
    register_all_modules()
    if osp.isdir(config):
        model = build_from_official(
            config,
            sam2_config=sam2_config,
            dtype=dtype,
            precision=precision or 'reference')
    else:
        cfg = Config.fromfile(config)
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        if precision is not None:
            cfg.model.precision = precision
        model = MODELS.build(cfg.model)
        if checkpoint:
            load_checkpoint_strict(model, checkpoint)
        else:
            print_log(
                f'{config}: running on random weights (no checkpoint)',
                logger='current',
                level=logging.WARNING)
    if dtype is not None:
        model = model.to(dtype)
    return model.to(device).eval()


def check_model_files(config: str,
                      checkpoint: Optional[str] = None,
                      random_weights: bool = False
                      ) -> Tuple[str, Optional[str]]:
    """Checks the model arguments of :func:`init_model` before any work.

    A hub id given for a checkpoint directory is resolved first
    (:func:`~unipixel_mm.utils.hub.resolve_model_path`: downloaded once,
    then read from the Hugging Face cache); a training work dir given as
    ``checkpoint`` stands for its latest complete checkpoint.

    Returns:
        tuple: ``config`` and ``checkpoint`` as local paths.

    Raises:
        FileNotFoundError: When the config or the checkpoint is missing.
        ValueError: When the combination cannot give a trained model.
    """
    config = resolve_model_path(config)
    checkpoint = resolve_model_path(checkpoint)
    if checkpoint and osp.isdir(checkpoint) and not osp.isfile(
            osp.join(checkpoint, 'config.json')):
        # a training work dir: its latest complete checkpoint
        found = find_resumable_checkpoint(checkpoint)
        if found is None:
            raise FileNotFoundError(
                f'"{checkpoint}" is neither an official checkpoint directory '
                '(config.json) nor a work dir with a checkpoint')
        checkpoint = found
    if osp.isdir(config):
        if checkpoint:
            raise ValueError(
                f'"{config}" is an official checkpoint directory: a '
                'checkpoint is only given with a config file')
        return config, checkpoint
    if not osp.isfile(config):
        raise FileNotFoundError(
            f'No config file or checkpoint directory "{config}"')
    if checkpoint:
        if not osp.exists(checkpoint):
            raise FileNotFoundError(f'No checkpoint "{checkpoint}"')
        if not osp.isdir(checkpoint) and not is_readable_checkpoint(
                checkpoint):
            raise ValueError(f'The checkpoint "{checkpoint}" is truncated '
                             'or not a torch checkpoint')
    elif not random_weights:
        raise ValueError(
            f'The config "{config}" needs a checkpoint of its weights; '
            'running on random weights needs random_weights=True '
            '(--random-weights)')
    return config, checkpoint


class UniPixelInferencer:
    """Run UniPixel on images and videos with text and visual prompts.

    Args:
        model (str | UniPixel): an official checkpoint directory or its hub
            id, a config file, or a built model.
        processor (str | dict, optional): the processor (tokenizer + image
            processor) directory or hub id, or a builder config; defaults
            to the checkpoint directory, or for a config file to the
            processor its pipelines use (:func:`config_processor`).
        checkpoint (str, optional): weights for a config-file ``model``.
        device (str): device of the model.
        num_frames (int): frames sampled from a video (uniformly; frames
            that carry a prompt are always kept).
        min_pixels (int): least pixels of a frame for the vision encoder.
        max_pixels (int): most pixels of a frame when ``num_frames`` are
            sampled (fewer frames get proportionally more).
        generation_cfg (dict, optional): default options of
            ``UniPixel.generate`` (``max_new_tokens``, ``do_sample``...).
        sam2_config (str, optional): see :func:`init_model`.
        random_weights (bool): see :func:`init_model`.
    """

    def __init__(self,
                 model,
                 processor: Optional[str] = None,
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 num_frames: int = 16,
                 min_pixels: int = 128 * 28 * 28,
                 max_pixels: int = 256 * 28 * 28,
                 generation_cfg: Optional[dict] = None,
                 sam2_config: Optional[str] = None,
                 random_weights: bool = False) -> None:
        if isinstance(processor, str):
            processor = resolve_model_path(processor)
        if isinstance(model, str):
            model, checkpoint = check_model_files(model, checkpoint,
                                                  random_weights)
            if processor is None:
                processor = model if osp.isdir(model) else \
                    config_processor(model)
            model = init_model(
                model,
                checkpoint,
                device,
                sam2_config=sam2_config,
                random_weights=random_weights)
        if processor is None:
            raise ValueError('Give the processor (tokenizer) directory')
        self.model = model
        self.processor = get_processor(processor)
        if model.tokenizer_cfg is None:
            # writes the follow-up prompts of segment_first requests
            model.tokenizer_cfg = processor
        self.num_frames = num_frames
        self.generation_cfg = dict(max_new_tokens=512)
        self.generation_cfg.update(generation_cfg or {})
        vision = model.vision_tokenizer
        self.load = LoadFrames(num_frames=-1)
        self.pipeline = Compose([
            QwenVideoProcess(
                processor,
                min_pixels=min_pixels,
                max_pixels=max_pixels,
                frame_budget=num_frames),
            SAM2Resize(model.mask_decoder.image_size),
            SamplePrompts(
                patch_size=vision.config.patch_size,
                merge_size=vision.merge_size,
                temporal_patch_size=vision.temporal_patch_size),
            FormatConversation(processor),
            PackUniPixelInputs(),
        ])

    # ------------------------------------------------------------------ #
    # request -> pipeline input
    # ------------------------------------------------------------------ #
    @staticmethod
    def _media_info(media: Media) -> Tuple[dict, int]:
        """The loader's keys for a medium and its number of frames."""
        if isinstance(media, np.ndarray):
            frames = media[None] if media.ndim == 3 else media
            if frames.ndim != 4 or frames.shape[-1] != 3:
                raise ValueError('An image must be (H, W, 3) and frames '
                                 f'(T, H, W, 3), got {media.shape}')
            if 0 in frames.shape:
                raise ValueError(f'The image or frames are empty: '
                                 f'{media.shape}')
            return dict(frames=to_uint8(frames)), len(frames)
        if isinstance(media, (list, tuple)):
            if not media:
                raise ValueError('The list of frames is empty')
            if isinstance(media[0], str):
                for path in media:
                    _check_file(path)
                return dict(frame_paths=list(media)), len(media)
            return UniPixelInferencer._media_info(np.stack(media))
        if not isinstance(media, str):
            raise TypeError(f'Unsupported media of type {type(media)}')
        if osp.isdir(media):
            return dict(video_path=media), len(list_frame_files(media))
        _check_file(media)
        if media.lower().endswith(IMAGE_EXTS):
            read_image(media)
            return dict(img_path=media), 1
        try:
            return dict(video_path=media), VideoReader(media).num_frames
        except Exception as e:
            raise ValueError(f'Cannot read the video "{media}": {e}') from e

    def _frame_ids(self, num_total: int, prompt_frames: List[int]) -> list:
        ids = sample_frame_inds(num_total, self.num_frames, 'uniform')
        for frame in prompt_frames:
            if frame in ids:
                continue
            nearest = min(range(len(ids)), key=lambda i: abs(ids[i] - frame))
            ids[nearest] = frame
        return sorted(set(ids))

    def _prepare(self, request: InferenceRequest, index: int) -> dict:
        info, num_total = check_request(request, index)
        prompts = [(list(p[:2]), int(p[2]), 'point') for p in request.points]
        prompts += [(list(b[:4]), int(b[4]), 'box') for b in request.boxes]
        frames_used = [f for _, f, _ in prompts]
        frames_used += [int(f) for _, f in request.masks]
        frame_ids = self._frame_ids(num_total, frames_used)
        if 'frames' in info:
            info['frames'] = info['frames'][frame_ids]
        elif 'frame_paths' in info:
            info['frame_paths'] = [info['frame_paths'][i] for i in frame_ids]
        elif 'video_path' in info:
            info['frame_ids'] = frame_ids
        results = self.load(dict(info, entry=f'request {index}'))
        height, width = results['frame_size']

        objects, prompt_type, text = [], None, request.text
        if prompts:
            prompt_type = 'point'
            for xy, frame, kind in prompts:
                objects.append(
                    dict(
                        oid=str(len(objects)),
                        prompt={
                            'frame': frame_ids.index(frame),
                            kind: xy
                        }))
            num_refs = text.count(REF_TOKEN)
            if num_refs == 0:
                refs = ', '.join(f'[{i}] {REF_TOKEN}'
                                 for i in range(len(objects)))
                text = f'{refs}. {text}'
            elif num_refs != len(objects):
                raise ValueError(
                    f'Request {index}: the text has {num_refs} {REF_TOKEN} '
                    f'but {len(objects)} point / box prompts were given')
        if request.masks:
            prompt_type = 'mask'
            obj_masks = np.zeros(
                (len(frame_ids), len(request.masks), height, width), bool)
            # sizes and emptiness were checked by check_request
            for o, (mask, frame) in enumerate(request.masks):
                obj_masks[frame_ids.index(frame), o] = _read_mask(mask, index)
                objects.append(dict(oid=str(o)))
            results['obj_masks'] = obj_masks
        turn = dict(
            question=text, answer=None, obj_inds=list(range(len(objects))))
        if request.segment_first:
            # the reference's PixelQA form: segment the objects by id (the
            # answer is given), then ask the question about [i]
            oids = [obj['oid'] for obj in objects]
            turn['question'] = SEG_MEMORY_PROMPTS[0].format(text)
            turn['answer_prefix'] = ' '.join(f'[{oid}] {SEG_TOKEN}'
                                             for oid in oids)
            follow_up = re.sub(r'\s*' + re.escape(REF_TOKEN), '', text)
        results.update(
            objects=objects,
            turns=[turn],
            prompt_type=prompt_type,
            seg_targets=False,
            task='chat')
        packed = self.pipeline(results)
        if request.segment_first:
            packed['data_samples'].memory_turn = dict(
                question=follow_up, oids=oids)
        packed['frames'] = results['frames']
        packed['frame_inds'] = frame_ids
        packed['prompts'] = dict(
            points=[(*xy, o, frame_ids.index(f))
                    for o, (xy, f, k) in enumerate(prompts) if k == 'point'],
            boxes=[(*xy, o, frame_ids.index(f))
                   for o, (xy, f, k) in enumerate(prompts) if k == 'box'])
        return packed

    # ------------------------------------------------------------------ #
    # running
    # ------------------------------------------------------------------ #
    def __call__(self,
                 media: Union[Media, Sequence[InferenceRequest]],
                 text: Optional[str] = None,
                 **kwargs) -> Union[InferenceResult, List[InferenceResult]]:
        """Answer one request (``media``, ``text``, prompts as keywords) or
        a list of :class:`InferenceRequest` (batched).

        Keywords other than ``points`` / ``boxes`` / ``masks`` /
        ``segment_first`` are generation options (``max_new_tokens``,
        ``do_sample``...).
        """
        if text is not None:
            prompt_keys = {'points', 'boxes', 'masks', 'segment_first'}
            request = InferenceRequest(
                media, text, **{
                    k: v
                    for k, v in kwargs.items() if k in prompt_keys
                })
            gen = {k: v for k, v in kwargs.items() if k not in prompt_keys}
            return self.run([request], **gen)[0]
        return self.run(list(media), **kwargs)

    @torch.no_grad()
    def run(self, requests: Sequence[InferenceRequest],
            **generation) -> List[InferenceResult]:
        """Prepare, generate and decode a batch of requests."""
        packed = [self._prepare(r, i) for i, r in enumerate(requests)]
        data = self.model.data_preprocessor(
            dict(
                inputs=[p['inputs'] for p in packed],
                data_samples=[p['data_samples'] for p in packed]),
            training=False)
        options = dict(self.generation_cfg, **generation)
        memory = [r.segment_first for r in requests]
        if any(memory):
            if not all(memory):
                raise ValueError('Batch segment_first requests separately '
                                 'from the others')
            outputs = self.model.generate_memory_turns(data['inputs'],
                                                       data['data_samples'],
                                                       **options)
        else:
            outputs = self.model.generate(data['inputs'], data['data_samples'],
                                          **options)
        tokenizer = self.processor.tokenizer
        results = []
        for p, out in zip(packed, outputs):
            results.append(
                InferenceResult(
                    text=tokenizer.decode(self.model.answer_ids(out.ids)),
                    masks=out.masks,
                    scores=out.mask_scores,
                    frames=p['frames'],
                    frame_inds=p['frame_inds'],
                    prompts=p['prompts']))
        return results

    def stream(self, text: str, **kwargs):
        """Start a live-video session: push frames one at a time, get each
        frame's masks as it arrives.

        Args:
            text (str): the instruction.
            **kwargs: ``points``, ``boxes``, ``window``, ``requery_every``...
                of :class:`unipixel_mm.apis.stream.StreamSession`.

        Returns:
            StreamSession: the session.
        """
        return StreamSession(self, text, **kwargs)


def config_processor(config: str) -> Optional[Union[str, dict]]:
    """The processor of a config file: its top-level ``processor``, else
    that of the first test / val / train pipeline step that has one (e.g.
    the tiny config's ``build_tiny_processor``); None when there is none."""
    cfg = Config.fromfile(config)
    if cfg.get('processor') is not None:
        return cfg.processor
    for key in ('test_dataloader', 'val_dataloader', 'train_dataloader'):
        dataset = (cfg.get(key) or {}).get('dataset') or {}
        for step in dataset.get('pipeline') or []:
            if step.get('processor') is not None:
                return step['processor']
    return None


def to_uint8(frames: np.ndarray) -> np.ndarray:
    """RGB frames as uint8 in [0, 255], never silently clipped or cast.

    A float array in [0, 1] is scaled by 255; a float array in [0, 255]
    and an integer array in [0, 255] are cast.

    Raises:
        ValueError: For another dtype, non-finite values or values out of
            these ranges.
    """
    if frames.dtype == np.uint8:
        return frames
    if frames.dtype == bool or not (np.issubdtype(frames.dtype, np.integer) or
                                    np.issubdtype(frames.dtype, np.floating)):
        raise ValueError(f'Images must be uint8 (or float / integer in '
                         f'[0, 255]), got {frames.dtype}')
    if not np.isfinite(frames).all():
        raise ValueError('The image has non-finite values (NaN or inf)')
    low, high = frames.min(), frames.max()
    if low < 0 or high > 255:
        raise ValueError(f'Image values must be in [0, 255] (or [0, 1] for '
                         f'floats), got [{low}, {high}]')
    if np.issubdtype(frames.dtype, np.floating) and high <= 1:
        frames = frames * 255
    return np.round(frames).astype(np.uint8)


def _check_numbers(values: Sequence, what: str, index: int) -> None:
    for value in values:
        if isinstance(
                value,
                bool) or not isinstance(value,
                                        (int, float, np.integer, np.floating)):
            raise ValueError(f'Request {index}: {what} {tuple(values)} must '
                             'hold numbers')
        if not np.isfinite(value) or value < 0:
            raise ValueError(f'Request {index}: {what} {tuple(values)} must '
                             'hold finite numbers >= 0')


def check_request(request: InferenceRequest, index: int = 0) -> tuple:
    """Checks a request without a model: text, prompts, media and masks.

    Args:
        request (InferenceRequest): The request.
        index (int): Its index, for the messages.

    Returns:
        tuple: The loader's keys for the media and its number of frames.

    Raises:
        ValueError, FileNotFoundError: Naming the first problem found.
    """
    if not isinstance(request.text, str) or not request.text.strip():
        raise ValueError(f'Request {index}: the text is empty')
    if request.masks and (request.points or request.boxes):
        raise ValueError(f'Request {index}: give point / box prompts or '
                         'mask prompts, not both')
    if request.segment_first and not (request.points or request.boxes):
        raise ValueError(f'Request {index}: segment_first needs point or '
                         'box prompts of the objects to segment')
    for what, items, size in (('point', request.points, 3),
                              ('box', request.boxes, 5)):
        for item in items:
            if len(item) != size:
                raise ValueError(f'Request {index}: a {what} is '
                                 f'{size - 1} numbers and a frame, got '
                                 f'{tuple(item)}')
            _check_numbers(item, what, index)
            if what == 'box' and (item[2] <= item[0] or item[3] <= item[1]):
                raise ValueError(f'Request {index}: the box {tuple(item)} '
                                 'needs its bottom-right corner right of '
                                 'and below its top-left one')
    info, num_total = UniPixelInferencer._media_info(request.media)
    frames = [int(p[-1]) for p in (*request.points, *request.boxes)]
    frames += [int(f) for _, f in request.masks]
    for frame in frames:
        if not 0 <= frame < num_total:
            raise ValueError(
                f'Request {index}: a prompt is on frame {frame} but the '
                f'media has {num_total} frame(s)')
    if not (request.masks or request.points or request.boxes):
        return info, num_total
    height, width = _first_frame_size(info)
    for what, items in (('point', request.points), ('box', request.boxes)):
        for item in items:
            if max(item[:-1:2]) > width or max(item[1:-1:2]) > height:
                raise ValueError(
                    f'Request {index}: the {what} {tuple(item)} is outside '
                    f'the {width}x{height} (WxH) frame')
    if request.masks:
        for o, (mask, _) in enumerate(request.masks):
            mask = _read_mask(mask, index)
            if mask.shape != (height, width):
                raise ValueError(
                    f'Request {index}: mask prompt {o} is '
                    f'{mask.shape[0]}x{mask.shape[1]} but the frames are '
                    f'{height}x{width}')
            if not mask.any():
                raise ValueError(f'Request {index}: mask prompt {o} is empty')
    return info, num_total


def _first_frame_size(info: dict) -> Tuple[int, int]:
    """(H, W) of the media's frames, reading one frame at most."""
    if 'frames' in info:
        return tuple(info['frames'].shape[1:3])
    first = dict(info)
    if 'frame_paths' in first:
        first['frame_paths'] = first['frame_paths'][:1]
    elif 'video_path' in first:
        first['frame_ids'] = [0]
    return LoadFrames(num_frames=-1)(first)['frame_size']


def _check_file(path: str) -> None:
    if not osp.isfile(path):
        raise FileNotFoundError(f'No such file: "{path}"')


def _read_mask(mask: Union[np.ndarray, str], index: int) -> np.ndarray:
    if isinstance(mask, str):
        _check_file(mask)
        image = cv2.imread(mask, cv2.IMREAD_UNCHANGED)
        if image is None:
            raise ValueError(f'Request {index}: cannot read the mask '
                             f'"{mask}"')
        mask = image if image.ndim == 2 else image.max(axis=-1)
    return np.asarray(mask) > 0
