"""Draw the README pictures of the tiny default model after its training.

Run after ``python tools/train.py configs/unipixel_tiny_synthetic.py``::

    python tools/visualize_default.py

Writes two PNGs (to ``docs/images`` by default), both on a SyntheticShapes
clip that no training or validation sample shows (its own seed):

- ``tiny_text_swap.png``: one clip, two texts each naming one of its
  shapes; per text a row of the clip's frames with the predicted masks and
  the generated answer;
- ``tiny_point_pixelqa.png``: a point prompt on one shape and a question
  about it answered PixelQA-style (``segment_first``: the pointed shape is
  segmented and tracked, then the question is answered with its masks as
  the object memory).
"""
import argparse
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.config import Config

from unipixel_mm.apis import UniPixelInferencer
from unipixel_mm.apis.errors import cli_errors
from unipixel_mm.engine.checkpoint import find_resumable_checkpoint
from unipixel_mm.registry import DATASETS, FUNCTIONS
from unipixel_mm.utils import register_all_modules
from unipixel_mm.visualization import UniPixelVisualizer, write_image

CONFIG = 'configs/unipixel_tiny_synthetic.py'
SCALE = 2  # frames are 56-112 px: drawn twice as large
FONT = cv2.FONT_HERSHEY_SIMPLEX


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parses the command line."""
    parser = argparse.ArgumentParser(
        description='Draw the README pictures of the trained tiny default')
    parser.add_argument('--config', default=CONFIG, help='training config')
    parser.add_argument(
        '--checkpoint',
        help='weights (default: the latest checkpoint of --work-dir)')
    parser.add_argument(
        '--work-dir',
        help='the training run (default: ./work_dirs/<config name>)')
    parser.add_argument(
        '--out-dir', default='docs/images', help='where the PNGs go')
    parser.add_argument(
        '--seed', type=int, default=7, help='seed of the drawn clips')
    parser.add_argument(
        '--frames', type=int, default=2, help='frames of the clips')
    parser.add_argument(
        '--debug', action='store_true', help='show the traceback of an error')
    return parser.parse_args(argv)


def find_checkpoint(args: argparse.Namespace) -> str:
    """The checkpoint to draw with: given, or the run's latest."""
    if args.checkpoint:
        if not osp.isfile(args.checkpoint):
            raise FileNotFoundError(f'No checkpoint "{args.checkpoint}"')
        return args.checkpoint
    work_dir = args.work_dir or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    checkpoint = find_resumable_checkpoint(work_dir)
    if checkpoint is None:
        raise FileNotFoundError(
            f'No checkpoint in "{work_dir}": train first with python '
            f'tools/train.py {args.config}, or give --checkpoint')
    return checkpoint


def draw_clips(cfg: Config, seed: int, num_frames: int) -> List[dict]:
    """Clips of ``num_frames`` frames with two shapes, one sample per shape.

    The samples carry the training wording (the config's validation data
    set, drawn from ``seed``): ``frames`` (T, H, W, 3) uint8, ``objects``
    and the one turn naming the sample's shape.

    Returns:
        list[dict]: The samples of the first clip with ``num_frames``
        frames, one per shape.
    """
    dataset = dict(cfg.val_dataloader.dataset)
    dataset.update(
        pipeline=[],
        seed=seed,
        num_samples=64,
        min_objects=2,
        max_objects=2,
        max_frames=num_frames,
        sample_per_object=True)
    dataset = DATASETS.build(dataset)
    clips = {}
    for i in range(len(dataset)):
        info = dataset[i]
        if len(info['frames']) == num_frames:
            clips.setdefault(info['video_id'], []).append(info)
            if len(clips[info['video_id']]) == 2:
                return clips[info['video_id']]
    raise RuntimeError(f'no clip of {num_frames} frames drawn from seed '
                       f'{seed}; try --frames 1 or 2')


def outline(drawn: Sequence[np.ndarray],
            masks: np.ndarray) -> List[np.ndarray]:
    """Draws each mask's contour in white: the shapes are coloured too, so
    the blended mask colour alone is hard to read.

    Args:
        drawn (Sequence[np.ndarray]): T (H, W, 3) uint8 drawings.
        masks (np.ndarray): (N, T, H, W) bool.

    Returns:
        list[np.ndarray]: The drawings with the contours.
    """
    out = []
    for t, frame in enumerate(drawn):
        frame = frame.copy()
        for mask in masks[:, t]:
            contours, _ = cv2.findContours(
                mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                cv2.CHAIN_APPROX_NONE)
            cv2.drawContours(frame, contours, -1, (255, 255, 255), 1)
        out.append(frame)
    return out


def upscale(image: np.ndarray) -> np.ndarray:
    """Nearest-neighbour enlargement by :data:`SCALE`."""
    return cv2.resize(
        image, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_NEAREST)


def text_band(lines: Sequence[str], width: int) -> np.ndarray:
    """White text on black, one line each, ``width`` pixels wide."""
    band = np.zeros((8 + 16 * len(lines), width, 3), np.uint8)
    for i, line in enumerate(lines):
        cv2.putText(band, line, (4, 16 + 16 * i), FONT, 0.42,
                    (255, 255, 255), 1, cv2.LINE_AA)
    return band


def strip(drawn: Sequence[np.ndarray], lines: Sequence[str]) -> np.ndarray:
    """A caption above the frames side by side, 4 px apart."""
    gap = np.full((SCALE * drawn[0].shape[0], 4, 3), 255, np.uint8)
    row = [upscale(drawn[0])]
    for frame in drawn[1:]:
        row += [gap, upscale(frame)]
    row = np.concatenate(row, axis=1)
    return np.concatenate([text_band(lines, row.shape[1]), row], axis=0)


def stack(rows: Sequence[np.ndarray]) -> np.ndarray:
    """Rows under each other, 6 px apart, padded to the widest."""
    width = max(r.shape[1] for r in rows)
    out = []
    for row in rows:
        pad = np.zeros((row.shape[0], width - row.shape[1], 3), np.uint8)
        out += [np.concatenate([row, pad], axis=1),
                np.full((6, width, 3), 255, np.uint8)]
    return np.concatenate(out[:-1], axis=0)


def wrap(text: str, width: int = 60) -> List[str]:
    """Splits ``text`` into lines of at most ``width`` characters."""
    lines, line = [], ''
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f'{line} {word}'.strip()
    return lines + [line]


def iou(pred: np.ndarray, target: np.ndarray) -> float:
    """IoU of two (T, H, W) bool masklets."""
    union = (pred | target).sum()
    return float((pred & target).sum() / union) if union else 1.0


def text_swap_picture(inferencer: UniPixelInferencer,
                      samples: Sequence[dict]) -> Tuple[np.ndarray, list]:
    """One row per text naming a shape of the clip: frames with masks.

    Returns:
        tuple: the picture (H, W, 3) uint8 RGB and per row (question,
        answer, IoU with the named shape, IoU with the other shape).
    """
    visualizer = UniPixelVisualizer()
    rows, report = [], []
    for o, sample in enumerate(samples):
        question = sample['turns'][0]['question']
        result = inferencer(sample['frames'], question, max_new_tokens=16)
        masks = result.masks[:1].numpy()
        pred = masks[0] if len(masks) else np.zeros(
            sample['frames'].shape[:3], bool)
        named = np.stack(sample['objects'][o]['masks'])
        other = np.stack(sample['objects'][1 - o]['masks'])
        report.append(
            (question, result.text, iou(pred, named), iou(pred, other)))
        drawn = outline(visualizer.draw_video(sample['frames'], masks), masks)
        rows.append(
            strip(drawn, wrap(f'Q: {question}') + [f'A: {result.text}']))
    return stack(rows), report


def point_qa_picture(inferencer: UniPixelInferencer,
                     sample: dict) -> Tuple[np.ndarray, tuple]:
    """A point on the first shape, its colour asked PixelQA-style.

    Returns:
        tuple: the picture and (question, answer, IoU of the tracked mask
        with the pointed shape, the shape's colour).
    """
    obj = sample['objects'][0]
    ys, xs = np.nonzero(obj['masks'][0])
    # the shape's pixel nearest its centroid
    k = np.argmin((ys - ys.mean())**2 + (xs - xs.mean())**2)
    point = (float(xs[k]), float(ys[k]), 0)
    question = 'What colour is <|ref|>?'
    result = inferencer(
        sample['frames'],
        question,
        points=[point],
        segment_first=True,
        max_new_tokens=8)
    masks = result.masks.numpy()
    target = np.stack(obj['masks'])
    score = iou(masks[0], target) if len(masks) else 0.0
    drawn = outline(
        UniPixelVisualizer().draw_video(
            sample['frames'], masks, points=result.prompts['points']), masks)
    lines = [f'Q: {question}  (point on frame 1, segment first)',
             f'A: {result.text}']
    return strip(drawn, lines), (question, result.text, score, obj['colour'])


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Loads the trained default and writes the two pictures."""
    args = parse_args(argv)
    with cli_errors(args.debug):
        register_all_modules()
        if not osp.isfile(args.config):
            raise FileNotFoundError(f'No config file "{args.config}"')
        checkpoint = find_checkpoint(args)
        cfg = Config.fromfile(args.config)
        processor = cfg.tiny_processor
        FUNCTIONS.build(processor)  # writes it when missing
        process = next(t for t in cfg.val_dataloader.dataset.pipeline
                       if t.type == 'QwenVideoProcess')
        inferencer = UniPixelInferencer(
            args.config,
            processor=processor.save_dir,
            checkpoint=checkpoint,
            num_frames=args.frames,
            min_pixels=process.min_pixels,
            max_pixels=process.max_pixels)
        samples = draw_clips(cfg, args.seed, args.frames)
        picture, report = text_swap_picture(inferencer, samples)
        write_image(osp.join(args.out_dir, 'tiny_text_swap.png'), picture)
        for question, answer, named, other in report:
            print(f'{question!r} -> {answer!r}: IoU {named:.2f} with the '
                  f'named shape, {other:.2f} with the other')
        picture, (question, answer, score, colour) = point_qa_picture(
            inferencer, samples[0])
        write_image(osp.join(args.out_dir, 'tiny_point_pixelqa.png'), picture)
        print(f'{question!r} (point, segment first) -> {answer!r}: IoU '
              f'{score:.2f} with the pointed shape, which is {colour}')


if __name__ == '__main__':
    main()
