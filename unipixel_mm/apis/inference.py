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
from unipixel_mm.datasets.transforms import LoadFrames
from unipixel_mm.datasets.transforms.loading import (VideoReader,
                                                     list_frame_files,
                                                     read_image)
from unipixel_mm.engine.checkpoint import find_resumable_checkpoint
from unipixel_mm.models.checkpoint import (build_from_official,
                                           is_readable_checkpoint,
                                           load_checkpoint_strict,
                                           resolve_model_path)
from unipixel_mm.models.pixelqa import generate_answers
from unipixel_mm.registry import INFERENCERS, MODELS, TRANSFORMS
from unipixel_mm.text import (REF_TOKEN, ConversationFormatter, get_processor,
                              seg_by_id_answer)
from unipixel_mm.utils import register_all_modules
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
    (:func:`~unipixel_mm.models.checkpoint.load_checkpoint_strict`); a
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
    (:func:`~unipixel_mm.models.checkpoint.resolve_model_path`: downloaded
    once, then read from the Hugging Face cache); a training work dir given as
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


def inference_pipeline(processor: Union[str, dict],
                       model,
                       num_frames: int = 16,
                       min_pixels: int = 128 * 28 * 28,
                       max_pixels: int = 256 * 28 * 28) -> List[dict]:
    """The transforms that turn a request into the model's inputs.

    A data set's test pipeline (see ``test_pipeline`` in
    ``configs/_base_/datasets/unipixel_pipelines.py``) with the inferencer's
    frame sampling: ``num_frames`` frames sampled uniformly for both the LLM
    and SAM2 (the frames of prompts always among them), and the model's own
    SAM2 size and vision-token geometry. The model is only read.

    Args:
        processor (str | dict): The processor directory or builder config.
        model (UniPixel): The model whose geometry the inputs follow.
        num_frames (int): Frames sampled from a video.
        min_pixels (int): Least pixels of a frame for the vision encoder.
        max_pixels (int): Most pixels of a frame when ``num_frames`` are
            sampled (fewer frames get proportionally more).

    Returns:
        list[dict]: Transform configs for :class:`mmengine.dataset.Compose`.
    """
    vision = model.vision_tokenizer
    return [
        dict(type='LoadFrames', num_frames=num_frames, sample_type='uniform'),
        dict(type='LoadObjectMasks'),
        dict(
            type='QwenVideoProcess',
            processor=processor,
            min_pixels=min_pixels,
            max_pixels=max_pixels,
            frame_budget=num_frames),
        dict(type='SAM2Resize', size=model.mask_decoder.image_size),
        dict(
            type='SamplePrompts',
            patch_size=vision.config.patch_size,
            merge_size=vision.merge_size,
            temporal_patch_size=vision.temporal_patch_size),
        dict(type='FormatConversation', processor=processor),
        dict(type='PackUniPixelInputs'),
    ]


@INFERENCERS.register_module()
class UniPixelInferencer:
    """Run UniPixel on images and videos with text and visual prompts.

    A request becomes a sample in the form a data set yields (the medium,
    ``objects`` with their given prompts or masks, one conversation turn),
    which the test pipeline (:func:`inference_pipeline`, or ``pipeline``)
    loads, samples and packs; the model is only read.

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
        pipeline (list[dict], optional): transform configs replacing
            :func:`inference_pipeline` (``num_frames``, ``min_pixels`` and
            ``max_pixels`` are unused then), e.g. a config's
            ``test_pipeline``.
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
                 random_weights: bool = False,
                 pipeline: Optional[List[dict]] = None) -> None:
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
        # writes the follow-up prompts of segment_first requests
        self.formatter = ConversationFormatter(processor)
        self.num_frames = num_frames
        self.generation_cfg = dict(max_new_tokens=512)
        self.generation_cfg.update(generation_cfg or {})
        if pipeline is None:
            pipeline = inference_pipeline(processor, model, num_frames,
                                          min_pixels, max_pixels)
        self.pipeline = Compose([TRANSFORMS.build(t) for t in pipeline])

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

    def request_to_sample(self, request: InferenceRequest,
                          index: int) -> dict:
        """A request as a data set's sample: the medium's loader keys,
        ``objects``, one conversation ``turn`` and the frames the prompts are
        on (``required_frame``), see
        :class:`~unipixel_mm.datasets.BasePixelDataset`.

        Raises:
            ValueError, FileNotFoundError: From :func:`check_request`.
        """
        info, _ = check_request(request, index)
        objects = _prompted_objects(request, index)
        prompt_type = 'mask' if request.masks else \
            'point' if objects else None
        turn, memory_turn = _conversation_turn(request, objects, index)
        return dict(
            info,
            entry=f'request {index}',
            required_frame=_prompt_frames(request),
            strict_mask_size=True,
            objects=objects,
            turns=[turn],
            memory_turn=memory_turn,
            prompt_type=prompt_type,
            seg_targets=False,
            task='chat')

    def preprocess(self, request: InferenceRequest, index: int) -> dict:
        """Runs the pipeline on a request.

        Returns:
            dict: ``inputs`` and ``data_samples`` (the model's), and for the
            result ``frames`` ((T, H, W, 3) uint8, the sampled frames),
            ``frame_inds`` (their indices in the media) and ``prompts``
            (points / boxes with their sampled-frame index).
        """
        sample = self.request_to_sample(request, index)
        packed = self.pipeline(sample)
        # the transforms add their keys to the sample (mmcv's convention):
        # it holds the sampled frames now
        frame_inds = sample['frame_inds']
        packed.update(
            frames=sample['frames'],
            frame_inds=frame_inds,
            prompts=_drawn_prompts(sample['objects'], frame_inds))
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
        memory = [r.segment_first for r in requests]
        if any(memory) and not all(memory):
            raise ValueError('Batch segment_first requests separately from '
                             'the others')
        packed = [self.preprocess(r, i) for i, r in enumerate(requests)]
        data = self.model.data_preprocessor(
            dict(
                inputs=[p['inputs'] for p in packed],
                data_samples=[p['data_samples'] for p in packed]),
            training=False)
        # segment_first requests carry a memory_turn: two passes (PixelQA)
        outputs = generate_answers(self.model, data['inputs'],
                                   data['data_samples'], self.formatter,
                                   **dict(self.generation_cfg, **generation))
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
    for frame in _prompt_frames(request):
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
        first['candidate_frame_inds'] = [0]
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


def _prompted_objects(request: InferenceRequest, index: int) -> List[dict]:
    """The request's objects as a data set lists them: a given point / box
    ``prompt`` on a media frame (points first, then boxes), or ``masks`` on
    one media frame; named ``'0'``, ``'1'``..."""
    objects = [
        dict(prompt=dict(frame=int(p[2]), point=list(p[:2])))
        for p in request.points
    ]
    objects += [
        dict(prompt=dict(frame=int(b[4]), box=list(b[:4])))
        for b in request.boxes
    ]
    objects += [
        dict(masks={int(frame): _read_mask(mask, index)})
        for mask, frame in request.masks
    ]
    for o, obj in enumerate(objects):
        obj['oid'] = str(o)
    return objects


def _prompt_frames(request: InferenceRequest) -> List[int]:
    """The media frames the request's prompts are on."""
    frames = [int(p[-1]) for p in (*request.points, *request.boxes)]
    return frames + [int(f) for _, f in request.masks]


def _conversation_turn(request: InferenceRequest, objects: List[dict],
                       index: int) -> Tuple[dict, Optional[dict]]:
    """The question turn of a request and, for ``segment_first``, the
    follow-up (``memory_turn``) asked with the objects' masks.

    Point / box prompted objects are referred to by a ``<|ref|>`` each:
    those of the text, else ``[i] <|ref|>`` references put before it.
    """
    text = request.text
    if objects and not request.masks:
        num_refs = text.count(REF_TOKEN)
        if num_refs == 0:
            refs = ', '.join(f'[{i}] {REF_TOKEN}' for i in range(len(objects)))
            text = f'{refs}. {text}'
        elif num_refs != len(objects):
            raise ValueError(
                f'Request {index}: the text has {num_refs} {REF_TOKEN} '
                f'but {len(objects)} point / box prompts were given')
    turn = dict(question=text, answer=None, obj_inds=list(range(len(objects))))
    if not request.segment_first:
        return turn, None
    # the reference's PixelQA form: segment the objects by id (the answer is
    # given), then ask the question about [i]
    oids = [obj['oid'] for obj in objects]
    turn.update(
        question=SEG_MEMORY_PROMPTS[0].format(text),
        answer_prefix=seg_by_id_answer(oids))
    follow_up = re.sub(r'\s*' + re.escape(REF_TOKEN), '', text)
    return turn, dict(question=follow_up, oids=oids)


def _drawn_prompts(objects: List[dict], frame_inds: List[int]) -> dict:
    """The point / box prompts with their object and sampled-frame index:
    ``(x, y, o, t)`` and ``(x1, y1, x2, y2, o, t)``."""
    drawn = dict(points=[], boxes=[])
    for o, obj in enumerate(objects):
        prompt = obj.get('prompt')
        if prompt is None:
            continue
        t = frame_inds.index(prompt['frame'])
        if 'point' in prompt:
            drawn['points'].append((*prompt['point'], o, t))
        else:
            drawn['boxes'].append((*prompt['box'], o, t))
    return drawn
