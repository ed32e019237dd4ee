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
and ``<name>.txt`` (the answer); with ``--stream``, masks per frame as they
come (see :mod:`unipixel_mm.apis.stream_outputs`).
"""
import argparse
import json
import os
import os.path as osp
from typing import List, Sequence, Tuple

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from unipixel_mm.visualization import UniPixelVisualizer, write_image
from .inference import InferenceRequest, InferenceResult, UniPixelInferencer


def _parse_prompt(text: str, size: int, what: str) -> Tuple:
    """``'x,y[@frame]'`` -> (x, y, frame) (``size`` numbers before ``@``)."""
    body, _, frame = text.partition('@')
    try:
        values = [float(v) for v in body.split(',')]
        frame_index = int(frame) if frame else 0
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'{what} "{text}" must be {size} comma-separated numbers, '
            'optionally followed by @frame') from None
    if len(values) != size:
        raise argparse.ArgumentTypeError(
            f'{what} "{text}" needs {size} numbers, got {len(values)}')
    return (*values, frame_index)


def parse_args(argv: Sequence[str] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Segment, refer and answer with UniPixel')
    parser.add_argument('media', help='image, video, or folder of frames')
    parser.add_argument('text', help='instruction or question')
    parser.add_argument(
        '--model',
        required=True,
        help='official checkpoint directory or config file')
    parser.add_argument('--checkpoint', help='weights for a config file')
    parser.add_argument(
        '--processor', help='tokenizer directory (default: --model)')
    parser.add_argument(
        '--sam2-config', help='SAM2 yaml of the checkpoint, when needed')
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
    parser.add_argument('--num-frames', type=int, default=16)
    parser.add_argument('--max-new-tokens', type=int, default=512)
    parser.add_argument('--do-sample', action='store_true')
    parser.add_argument('--temperature', type=float, default=1.0)
    parser.add_argument('--top-p', type=float, default=1.0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out-dir', default='outputs')
    parser.add_argument(
        '--fps', type=float, default=4.0, help='frame rate of the written MP4')
    stream = parser.add_argument_group(
        'live video', 'with --stream, MEDIA is a frame folder (may still be '
        'growing), a video file (read frame by frame), a camera index, a URL '
        'or synthetic:FRAMES[:OBJECTS]; masks are written per frame as they '
        'come (<name>_masks.jsonl, <name>.mp4)')
    stream.add_argument('--stream', action='store_true')
    stream.add_argument(
        '--window', type=int, default=1, help='frames the LLM looks at')
    stream.add_argument(
        '--requery-every',
        type=int,
        default=0,
        help='ask the LLM again on the latest window every N frames')
    stream.add_argument(
        '--idle-timeout',
        type=float,
        default=2.0,
        help='seconds a frame folder may stay without a new frame')
    stream.add_argument('--max-frames', type=int, help='stop after N frames')
    return parser.parse_args(argv)


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


def save_outputs(result: InferenceResult, name: str, out_dir: str,
                 fps: float) -> dict:
    """Write the overlay, the RLE masks and the answer; return the paths."""
    os.makedirs(out_dir, exist_ok=True)
    drawings = UniPixelVisualizer().draw_video(
        result.frames,
        result.masks,
        points=result.prompts.get('points', ()),
        boxes=result.prompts.get('boxes', ()))
    stem = osp.join(out_dir, name)
    if len(drawings) == 1:
        overlay = stem + '.png'
        write_image(overlay, drawings[0])
    else:
        overlay = stem + '.mp4'
        write_video(overlay, drawings, fps)
    masks = stem + '_masks.json'
    with open(masks, 'w') as f:
        json.dump(masks_to_rle(result), f)
    answer = stem + '.txt'
    with open(answer, 'w') as f:
        f.write(result.text + '\n')
    return dict(overlay=overlay, masks=masks, answer=answer)


def main(argv: Sequence[str] = None) -> dict:
    args = parse_args(argv)
    inferencer = UniPixelInferencer(
        args.model,
        processor=args.processor,
        checkpoint=args.checkpoint,
        device=args.device,
        num_frames=args.num_frames,
        sam2_config=args.sam2_config)
    if args.stream:
        from .stream_outputs import main_stream
        return main_stream(inferencer, args)
    request = InferenceRequest(
        args.media,
        args.text,
        points=args.point,
        boxes=args.box,
        masks=_mask_prompts(args.mask),
        segment_first=args.segment_first)
    result = inferencer.run([request],
                            max_new_tokens=args.max_new_tokens,
                            do_sample=args.do_sample,
                            temperature=args.temperature,
                            top_p=args.top_p,
                            progress=True)[0]
    name = osp.splitext(osp.basename(osp.normpath(args.media)))[0]
    paths = save_outputs(result, name, args.out_dir, args.fps)
    print(f'Answer: {result.text}')
    for kind, path in paths.items():
        print(f'{kind}: {path}')
    return paths


if __name__ == '__main__':
    main()
