"""``unipixel-infer`` / ``tools/infer.py``: UniPixel from the command line.

Example::

    unipixel-infer video.mp4 "Please segment the running dog." \\
        --model path/to/UniPixel-3B --out-dir outputs
    unipixel-infer photo.jpg "What is <|ref|> holding?" --point 120,80 \\
        --model path/to/UniPixel-3B
    unipixel-infer rtsp://camera/live "Please segment the dog." --stream \
        --model path/to/UniPixel-3B --window 4 --requery-every 100

Writes ``<name>.png`` (an image) or ``<name>.mp4`` (a video) with the masks
and prompts drawn, ``<name>_masks.json`` (COCO RLE per object and frame)
and ``<name>.txt`` (the answer); ``<name>`` is the media's file name with
its extension (``photo_jpg``), so two inputs never share outputs. The three
files are written under temporary names and renamed together: they appear
all or none, never mixed with an earlier run's.

The arguments, the media, the prompts and the output folder are checked
before the model is loaded; an error is one line and exit status 2
(``--debug`` shows the traceback).

With ``--stream``, masks are written per frame as they come (see
:mod:`unipixel_mm.apis.stream_outputs`).
"""
import argparse
import json
import math
import os.path as osp
import sys
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from unipixel_mm import fileio
from unipixel_mm.models.checkpoint.hub import resolve_model_path
from unipixel_mm.visualization import UniPixelVisualizer, write_image
from .errors import cli_errors
from .inference import (InferenceRequest, InferenceResult, UniPixelInferencer,
                        check_model_files, check_request)

#: Options whose value may start with '-' (a negative number is refused
#: with a message, not taken for an option).
VALUE_OPTIONS = ('--point', '--box')


def _parse_prompt(text: str, size: int, what: str) -> Tuple:
    """``'x,y[@frame]'`` -> (x, y, frame) (``size`` numbers before ``@``)."""
    body, _, frame = text.partition('@')
    try:
        values = [float(v) for v in body.split(',')]
        frame = int(frame) if frame else 0
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'{what} "{text}" must be {size} comma-separated numbers, '
            'optionally followed by @frame') from None
    if len(values) != size:
        raise argparse.ArgumentTypeError(
            f'{what} "{text}" needs {size} numbers, got {len(values)}')
    if not all(math.isfinite(v) and v >= 0 for v in values) or frame < 0:
        raise argparse.ArgumentTypeError(
            f'{what} "{text}" must hold finite numbers >= 0')
    return (*values, frame)


def _number(kind: type, low: float, what: str, inclusive: bool = True):
    """An argparse type: a finite ``kind`` >= ``low`` (> when not
    ``inclusive``)."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f'{what} must be a number, got "{text}"') from None
        if not math.isfinite(value) or value < low or (not inclusive
                                                       and value == low):
            sign = '>=' if inclusive else '>'
            raise argparse.ArgumentTypeError(
                f'{what} must be a finite number {sign} {low}, got "{text}"')
        return value

    return parse


def _join_values(argv: Sequence[str]) -> List[str]:
    """``--point -5,10`` -> ``--point=-5,10`` (argparse would read an
    option)."""
    out, argv = [], list(argv)
    for i, arg in enumerate(argv):
        if i and argv[i - 1] in VALUE_OPTIONS and arg.startswith('-'):
            out[-1] = f'{out[-1]}={arg}'
        else:
            out.append(arg)
    return out


def add_model_arguments(parser: argparse.ArgumentParser,
                        model: str = '--model') -> None:
    """The arguments that choose the model (see :func:`resolve_model_args`),
    shared by the command line and the demo.

    Args:
        parser (ArgumentParser): The parser to add them to.
        model (str): ``'--model'`` (an option) or ``'model'`` (positional).
    """
    parser.add_argument(
        model,
        **(dict(required=True) if model.startswith('-') else {}),
        help='official checkpoint directory, its Hugging Face hub id '
        '(e.g. PolyU-ChenLab/UniPixel-3B) or a config file')
    parser.add_argument(
        '--checkpoint',
        help='weights for a config file: a .pth, or a training work dir '
        '(its latest checkpoint)')
    parser.add_argument(
        '--processor',
        help='tokenizer directory or hub id (default: the model directory, '
        "or the processor of a config file's pipelines)")
    parser.add_argument(
        '--sam2-config', help='SAM2 yaml of the checkpoint, when needed')
    parser.add_argument(
        '--random-weights',
        action='store_true',
        help='run a config without --checkpoint on random weights')
    parser.add_argument('--device', default='cpu')


def parse_args(argv: Sequence[str] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Segment, refer and answer with UniPixel')
    parser.add_argument('media', help='image, video, or folder of frames')
    parser.add_argument('text', help='instruction or question')
    add_model_arguments(parser)
    parser.add_argument(
        '--point',
        action='append',
        default=[],
        type=lambda s: _parse_prompt(s, 2, 'point'),
        help='x,y[@frame] in pixels of the original frame (repeatable)')
    parser.add_argument(
        '--box',
        action='append',
        default=[],
        type=lambda s: _parse_prompt(s, 4, 'box'),
        help='x1,y1,x2,y2[@frame] (repeatable)')
    parser.add_argument(
        '--mask',
        action='append',
        default=[],
        help='mask.png[@frame]: a mask prompt (repeatable)')
    parser.add_argument(
        '--segment-first',
        action='store_true',
        help='PixelQA: segment the point / box prompted objects first, then '
        'answer the text with their masks as memory')
    parser.add_argument(
        '--num-frames', type=_number(int, 1, '--num-frames'), default=16)
    parser.add_argument(
        '--max-new-tokens',
        type=_number(int, 0, '--max-new-tokens'),
        default=512)
    parser.add_argument('--do-sample', action='store_true')
    parser.add_argument(
        '--temperature',
        type=_number(float, 0, '--temperature', inclusive=False),
        default=1.0)
    parser.add_argument(
        '--top-p',
        type=_number(float, 0, '--top-p', inclusive=False),
        default=1.0)
    parser.add_argument('--out-dir', default='outputs')
    parser.add_argument(
        '--fps',
        type=_number(float, 0, '--fps', inclusive=False),
        default=4.0,
        help='frame rate of the written MP4')
    stream = parser.add_argument_group(
        'live video', 'with --stream, MEDIA is a frame folder (may still be '
        'growing), a video file (read frame by frame), a camera index, a URL '
        'or synthetic:FRAMES[:OBJECTS]; masks are written per frame as they '
        'come (<name>_masks.jsonl, <name>.mp4)')
    stream.add_argument('--stream', action='store_true')
    stream.add_argument(
        '--window',
        type=_number(int, 1, '--window'),
        default=1,
        help='frames the LLM looks at')
    stream.add_argument(
        '--requery-every',
        type=_number(int, 0, '--requery-every'),
        default=0,
        help='ask the LLM again on the latest window every N frames')
    stream.add_argument(
        '--idle-timeout',
        type=_number(float, 0, '--idle-timeout'),
        default=2.0,
        help='seconds a frame folder may stay without a new frame')
    stream.add_argument(
        '--max-frames',
        type=_number(int, 1, '--max-frames'),
        help='stop after N frames')
    parser.add_argument(
        '--debug', action='store_true', help='show tracebacks of errors')
    args = parser.parse_args(
        _join_values(sys.argv[1:] if argv is None else argv))
    if args.top_p > 1:
        parser.error(f'--top-p must be at most 1, got {args.top_p}')
    return args


def _mask_prompts(specs: List[str]) -> List[Tuple[str, int]]:
    prompts = []
    for spec in specs:
        path, frame = spec.rsplit('@', 1) if '@' in spec else (spec, '0')
        if not frame.isdigit():
            raise ValueError(f'mask "{spec}" must be file.png[@frame]')
        prompts.append((path, int(frame)))
    return prompts


def masks_to_rle(result: InferenceResult) -> dict:
    """COCO RLE of every object's mask on every sampled frame."""
    objects = []
    for obj, masklet in enumerate(result.masks):
        frames = []
        for t, mask in zip(result.frame_inds, masklet):
            rle = mask_utils.encode(np.asfortranarray(mask.numpy(), np.uint8))
            frames.append(
                dict(
                    frame=int(t),
                    size=[int(x) for x in rle['size']],
                    counts=rle['counts'].decode('ascii')))
        objects.append(dict(object=obj, frames=frames))
    return dict(answer=result.text, objects=objects)


def write_video(path: str, frames: Sequence[np.ndarray], fps: float) -> None:
    """Write RGB frames as an MP4; raise if nothing could be written."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (width, height))
    if not writer.isOpened():
        raise OSError(f'Cannot write the video "{path}"')
    for frame in frames:
        writer.write(np.ascontiguousarray(frame[..., ::-1]))
    writer.release()


def output_name(media: str) -> str:
    """The outputs' name: the media's file name with its extension."""
    stem, ext = osp.splitext(osp.basename(osp.normpath(media)))
    return f'{stem}_{ext[1:]}' if ext else stem


def output_paths(media: str, out_dir: str, video: bool) -> Dict[str, str]:
    """The overlay, masks and answer paths of a medium."""
    stem = osp.join(out_dir, output_name(media))
    return dict(
        overlay=stem + ('.mp4' if video else '.png'),
        masks=stem + '_masks.json',
        answer=stem + '.txt')


def check_outputs(paths: Dict[str, str]) -> None:
    """Checks, before any work, that the outputs can be written.

    Raises:
        OSError: When the folder cannot be written or an output exists
            read-only.
    """
    fileio.check_writable_dir(osp.dirname(paths['overlay']) or '.')
    for path in paths.values():
        if fileio.is_read_only(path):
            raise PermissionError(
                f'the output "{path}" exists and is read-only')


def save_outputs(result: InferenceResult, paths: Dict[str, str],
                 fps: float) -> None:
    """Writes the overlay, the RLE masks and the answer, all or none.

    Args:
        result (InferenceResult): The answer.
        paths (dict): From :func:`output_paths`.
        fps (float): Frame rate of a video overlay.
    """
    drawings = UniPixelVisualizer().draw_video(
        result.frames,
        result.masks,
        points=result.prompts.get('points', ()),
        boxes=result.prompts.get('boxes', ()))
    with fileio.atomic_group(paths) as tmps:
        if paths['overlay'].endswith('.png'):
            write_image(tmps['overlay'], drawings[0])
        else:
            write_video(tmps['overlay'], drawings, fps)
        with open(tmps['masks'], 'w') as f:
            json.dump(masks_to_rle(result), f)
        with open(tmps['answer'], 'w') as f:
            f.write(result.text + '\n')


def resolve_model_args(args: argparse.Namespace) -> None:
    """Checks the model arguments before any work; hub ids of
    ``--model``, ``--checkpoint`` and ``--processor`` become their folders
    in the Hugging Face cache (downloaded once)."""
    args.model, args.checkpoint = check_model_files(args.model,
                                                    args.checkpoint,
                                                    args.random_weights)
    args.processor = resolve_model_path(args.processor)


def run_stream_args(args: argparse.Namespace) -> Dict[str, str]:
    """``--stream``: the source, prompts and output folder are checked
    (the source opened) before the model loads; then frames are answered
    and written as they come."""
    from .stream_outputs import main_stream
    from .stream_sources import open_source
    if args.mask or args.segment_first:
        raise ValueError('--stream takes point / box prompts only')
    resolve_model_args(args)
    fileio.check_writable_dir(args.out_dir)
    frames = open_source(args.media, idle_timeout=args.idle_timeout)
    inferencer = UniPixelInferencer(
        args.model,
        processor=args.processor,
        checkpoint=args.checkpoint,
        device=args.device,
        num_frames=args.num_frames,
        sam2_config=args.sam2_config,
        random_weights=args.random_weights)
    return main_stream(inferencer, args, frames)


def run(args: argparse.Namespace) -> Dict[str, str]:
    """Checks the inputs, then loads the model, answers and saves."""
    if args.stream:
        return run_stream_args(args)
    request = InferenceRequest(
        args.media,
        args.text,
        points=args.point,
        boxes=args.box,
        masks=_mask_prompts(args.mask),
        segment_first=args.segment_first)
    resolve_model_args(args)
    _, num_frames = check_request(request)
    paths = output_paths(args.media, args.out_dir, video=num_frames > 1)
    check_outputs(paths)
    inferencer = UniPixelInferencer(
        args.model,
        processor=args.processor,
        checkpoint=args.checkpoint,
        device=args.device,
        num_frames=args.num_frames,
        sam2_config=args.sam2_config,
        random_weights=args.random_weights)
    result = inferencer.run([request],
                            max_new_tokens=args.max_new_tokens,
                            do_sample=args.do_sample,
                            temperature=args.temperature,
                            top_p=args.top_p,
                            progress=True)[0]
    if len(result.frames) == 1:  # a video sampled to one frame
        paths['overlay'] = osp.splitext(paths['overlay'])[0] + '.png'
    save_outputs(result, paths, args.fps)
    print(f'Answer: {result.text}')
    for kind, path in paths.items():
        print(f'{kind}: {path}')
    return paths


def main(argv: Sequence[str] = None) -> Dict[str, str]:
    """The command line; errors are one line and exit status 2."""
    args = parse_args(argv)
    with cli_errors(args.debug):
        return run(args)


if __name__ == '__main__':
    main()
