"""Runs the reference's evaluation scripts on CPU and records model calls.

Python imports this module at start-up when its folder is on
``PYTHONPATH`` (the harness puts it there for the reference's processes
only). With ``$UNIPIXEL_PARITY_RECORD`` set it, without touching the
reference's files:

- builds the model on the CPU in float32 with SDPA attention (the scripts
  ask for flash attention, bfloat16 and CUDA when present);
- appends one JSON line per ``model.generate`` call (and per direct
  ``model(...)`` call of a script, as PixelQA's first turn) to the record
  file: the vision entries given to ``process_vision_info`` (frame files
  and pixel budgets), the sampled indices of ``load_frames_with_inds_keep``
  (VideoRefer, PixelQA: among the annotated frames), the prompt ids, the
  vision grid and fps, checksums of the pixel values and SAM2 frames, the
  visual prompts, the generation options, the new token ids and the first
  object of every ``<|seg|>`` masklet as COCO RLEs;
- with ``$UNIPIXEL_PARITY_RANDOM_SEED`` seeds Python's ``random``, which
  the scripts never seed (PixelQA ``mix`` draws which objects get points
  with it), so a run is repeatable; the draws are recorded (the
  ``point_labels`` of each call).
"""
import functools
import json
import os


def _stats(tensor) -> list:
    """Shape, sum and absolute sum of a tensor (float64)."""
    t = tensor.detach().double()
    return [list(tensor.shape), float(t.sum()), float(t.abs().sum())]


def _rles(mask) -> list:
    """COCO RLEs of a (T, H, W) bool mask."""
    import numpy as np
    from pycocotools import mask as mask_utils
    out = []
    for frame in mask.numpy().astype(np.uint8):
        rle = mask_utils.encode(np.asfortranarray(frame))
        out.append(dict(size=rle['size'], counts=rle['counts'].decode()))
    return out


def _vision(messages) -> list:
    """The vision entries of a chat, file paths cut to their base names."""
    entries = []
    for message in messages:
        content = message.get('content')
        for item in content if isinstance(content, list) else []:
            kind = item.get('type')
            if kind not in ('image', 'video'):
                continue
            value = item.get(kind)
            if isinstance(value, (list, tuple)):
                value = [
                    os.path.basename(v) if isinstance(v, str) else 'array'
                    for v in value
                ]
            elif isinstance(value, str):
                value = os.path.basename(value)
            else:
                value = 'array'
            entries.append(
                dict({
                    k: v
                    for k, v in item.items()
                    if isinstance(v, (int, float, str)) and k != kind
                },
                     files=value))
    return entries


def _install(record: str) -> None:
    import torch
    import unipixel.dataset.utils as dataset_utils
    import unipixel.model.builder as builder
    import unipixel.utils.io as io_utils
    from unipixel.model.qwen2_5_vl import \
        PixelQwen2_5_VLForConditionalGeneration as Model

    build_model = builder.build_model
    load_frames_keep = io_utils.load_frames_with_inds_keep
    process_vision_info = dataset_utils.process_vision_info
    pending = {}

    def cpu_build_model(model_path, *args, **kwargs):
        kwargs.update(
            attn_implementation='sdpa', device='cpu', dtype='float32')
        return build_model(model_path, *args, **kwargs)

    def recording_load_frames_keep(*args, **kwargs):
        out = load_frames_keep(*args, **kwargs)
        pending['frame_inds'] = [int(i) for i in out[2]]
        return out

    def recording_process_vision_info(messages, *args, **kwargs):
        pending['vision'] = _vision(messages)
        return process_vision_info(messages, *args, **kwargs)

    generate = Model.generate
    options = ('do_sample', 'temperature', 'top_k', 'top_p',
               'repetition_penalty', 'max_new_tokens')

    def recording_generate(self, *args, **kwargs):
        pending['in_generate'] = True
        try:
            out = generate(self, *args, **kwargs)
        finally:
            pending['in_generate'] = False
        ids = kwargs['input_ids']
        record_call(self, kwargs, {k: kwargs.get(k)
                                   for k in options},
                    out[0, ids.size(1):].tolist())
        return out

    forward = Model.forward

    # keeps forward's signature, which generate() checks its inputs against
    @functools.wraps(forward)
    def recording_forward(self, *args, **kwargs):
        out = forward(self, *args, **kwargs)
        # a forward of the script itself (PixelQA's given answer)
        if not pending.get('in_generate') and not self.training:
            record_call(self, kwargs, dict(forward=True), [])
        return out

    def record_call(self, kwargs, generation, output_ids):
        ids = kwargs['input_ids']
        entry = dict(
            vision=pending.pop('vision', None),
            frame_inds=pending.get('frame_inds'),
            input_ids=ids[0].tolist(),
            generation=generation,
            output_ids=output_ids,
            masks=[_rles(seg[0]) for seg in getattr(self, 'seg', [])])
        for key in ('video_grid_thw', 'image_grid_thw', 'second_per_grid_ts',
                    'point_frames', 'point_labels', 'frame_size'):
            value = kwargs.get(key)
            if value is not None:
                entry[key] = _plain(value)
        for key in ('pixel_values_videos', 'pixel_values'):
            if kwargs.get(key) is not None:
                entry[key] = _stats(kwargs[key])
        if kwargs.get('frames') is not None:
            entry['frames'] = _stats(kwargs['frames'][0])
        if kwargs.get('point_coords') is not None:
            entry['point_coords'] = _plain(kwargs['point_coords'])
        if kwargs.get('refer_mask') is not None:
            entry['refer_mask'] = [_stats(m) for m in kwargs['refer_mask']]
        with open(record, 'a') as f:
            f.write(json.dumps(entry) + '\n')

    builder.build_model = cpu_build_model
    dataset_utils.process_vision_info = recording_process_vision_info
    io_utils.load_frames_with_inds_keep = recording_load_frames_keep
    Model.generate = recording_generate
    Model.forward = recording_forward
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))


def _plain(value):
    """Tensors (nested in lists) as plain lists and numbers."""
    if hasattr(value, 'tolist'):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


if os.environ.get('UNIPIXEL_PARITY_RECORD'):
    _install(os.environ['UNIPIXEL_PARITY_RECORD'])
if os.environ.get('UNIPIXEL_PARITY_RANDOM_SEED'):
    import random
    random.seed(int(os.environ['UNIPIXEL_PARITY_RANDOM_SEED']))
