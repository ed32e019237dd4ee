"""``tools/demo.py`` / ``unipixel-demo``: a Gradio page to try UniPixel.

Upload an image or a video, type the text, add points (one click) and boxes
(two clicks, opposite corners) on a chosen frame, and get the answer with
the masks drawn over the sampled frames (and as COCO RLE JSON). Bad input
(no file, an unreadable video, a prompt outside the frame...) is a message
in the page, never a traceback.

Example (then open http://127.0.0.1:7860)::

    python tools/demo.py PolyU-ChenLab/UniPixel-3B
    # the tiny model after the README's training (its latest checkpoint)
    python tools/demo.py configs/unipixel_tiny_synthetic.py \\
        --checkpoint work_dirs/unipixel_tiny_synthetic

The page logic is plain functions (:func:`open_media`, :func:`add_click`,
:func:`draw_prompts`, :func:`answer`) that :func:`build_demo` wires to
Gradio components; ``gradio`` (the ``demo`` extra) is imported only there.
"""
import argparse
import functools
import json
import logging
import os
import os.path as osp
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

import numpy as np

from unipixel_mm.datasets.transforms import LoadFrames
from unipixel_mm.datasets.transforms.loading import read_image
from unipixel_mm.visualization import UniPixelVisualizer
from .cli import (_number, add_model_arguments, masks_to_rle, output_name,
                  resolve_model_args)
from .errors import cli_errors, one_line
from .inference import (IMAGE_EXTS, InferenceRequest, UniPixelInferencer,
                        _first_frame_size)

logger = logging.getLogger(__name__)

#: What a click adds.
MODES = ('point', 'box')


@dataclass
class MediaInfo:
    """An uploaded image or video.

    Attributes:
        path (str): The file.
        num_frames (int): Its frames (1 for an image).
        height (int): Frame height in pixels.
        width (int): Frame width in pixels.
    """
    path: str
    num_frames: int
    height: int
    width: int


@dataclass
class DemoAnswer:
    """What a run shows.

    Attributes:
        text (str): The answer.
        drawings (list[np.ndarray]): (H, W, 3) uint8 RGB, the masks and
            prompts drawn on each sampled frame.
        frame_inds (list[int]): The index of each drawing's frame.
        shown (int): The drawing of the prompt frame (the sampled frame
            nearest to it).
        masks (dict): The answer and every object's COCO RLE per frame
            (:func:`unipixel_mm.apis.cli.masks_to_rle`).
    """
    text: str
    drawings: List[np.ndarray]
    frame_inds: List[int]
    shown: int
    masks: dict


def empty_prompts() -> dict:
    """No prompts: ``points`` (x, y, frame), ``boxes`` (x1, y1, x2, y2,
    frame) and the pending first ``corner`` (x, y, frame) of a box."""
    return dict(points=[], boxes=[], corner=None)


def open_media(path: Optional[str]) -> MediaInfo:
    """Checks an uploaded file and reads its size and number of frames.

    Raises:
        ValueError, FileNotFoundError: No file, an unreadable image or
            video, a video without frames.
    """
    if not path:
        raise ValueError('Upload an image or a video first')
    info, num_frames = UniPixelInferencer._media_info(path)
    if num_frames < 1:
        raise ValueError(f'The video "{osp.basename(path)}" has no frames')
    height, width = _first_frame_size(info)
    return MediaInfo(path, num_frames, int(height), int(width))


def read_frame(media: MediaInfo, index: int) -> np.ndarray:
    """Frame ``index`` of the media as (H, W, 3) uint8 RGB."""
    if not 0 <= index < media.num_frames:
        raise ValueError(f'Frame {index} is not in the media '
                         f'({media.num_frames} frame(s))')
    if media.path.lower().endswith(IMAGE_EXTS):
        return read_image(media.path)
    load = LoadFrames(num_frames=-1)
    loaded = load(dict(video_path=media.path, candidate_frame_inds=[index]))
    return loaded['frames'][0]


def add_click(prompts: dict, media: Optional[MediaInfo], mode: str, x: float,
              y: float, frame: int) -> dict:
    """The prompts after a click at pixel (x, y) of ``frame``.

    In ``'point'`` mode the click is a point; in ``'box'`` mode the first
    click is a corner and the second, on the same frame, the opposite one.

    Returns:
        dict: New prompts (the given ones are not changed).

    Raises:
        ValueError: No media, an unknown mode, a click outside the frame or
            a box of zero width or height.
    """
    if media is None:
        raise ValueError('Upload an image or a video first')
    if mode not in MODES:
        raise ValueError(f'Unknown prompt mode "{mode}" (one of {MODES})')
    if not (0 <= x <= media.width and 0 <= y <= media.height):
        raise ValueError(f'The click ({x:g}, {y:g}) is outside the '
                         f'{media.width}x{media.height} (WxH) frame')
    if not 0 <= frame < media.num_frames:
        raise ValueError(f'Frame {frame} is not in the media '
                         f'({media.num_frames} frame(s))')
    new = dict(
        points=list(prompts['points']),
        boxes=list(prompts['boxes']),
        corner=None)
    if mode == 'point':
        new['points'].append((x, y, frame))
        return new
    corner = prompts.get('corner')
    if corner is None or corner[2] != frame:
        new['corner'] = (x, y, frame)
        return new
    x1, x2 = sorted((corner[0], x))
    y1, y2 = sorted((corner[1], y))
    if x1 == x2 or y1 == y2:
        raise ValueError(f'The box corners ({corner[0]:g}, {corner[1]:g}) '
                         f'and ({x:g}, {y:g}) span no area: click the '
                         'opposite corner')
    new['boxes'].append((x1, y1, x2, y2, frame))
    return new


def describe_prompts(prompts: dict) -> str:
    """One line per object, numbered as the model reads them: points
    first, then boxes."""
    lines = [
        f'[{i}] point ({x:g}, {y:g}) on frame {f}'
        for i, (x, y, f) in enumerate(prompts['points'])
    ]
    first = len(prompts['points'])
    lines += [
        f'[{first + i}] box ({x1:g}, {y1:g}, {x2:g}, {y2:g}) on frame {f}'
        for i, (x1, y1, x2, y2, f) in enumerate(prompts['boxes'])
    ]
    if prompts.get('corner') is not None:
        x, y, f = prompts['corner']
        lines.append(f'box corner ({x:g}, {y:g}) on frame {f}: click the '
                     'opposite corner')
    return '\n'.join(lines)


def draw_prompts(image: np.ndarray, prompts: dict, frame: int) -> np.ndarray:
    """The prompts of ``frame`` drawn on its image in their objects'
    colours (a pending box corner as a point)."""
    points = [(x, y, o) for o, (x, y, f) in enumerate(prompts['points'])
              if f == frame]
    first = len(prompts['points'])
    boxes = [(*box[:4], first + o) for o, box in enumerate(prompts['boxes'])
             if box[4] == frame]
    corner = prompts.get('corner')
    if corner is not None and corner[2] == frame:
        points.append((corner[0], corner[1], first + len(prompts['boxes'])))
    return UniPixelVisualizer().draw_frame(image, points=points, boxes=boxes)


def answer(inferencer: UniPixelInferencer,
           media: Optional[MediaInfo],
           text: str,
           prompts: dict,
           segment_first: bool = True,
           frame: int = 0,
           **generation) -> DemoAnswer:
    """Runs the model on the media, the text and the prompts.

    Args:
        inferencer (UniPixelInferencer): The model.
        media (MediaInfo, optional): The upload.
        text (str): The instruction or question.
        prompts (dict): Points and boxes (:func:`empty_prompts`).
        segment_first (bool): With points / boxes, segment the objects
            first and answer with their masks (PixelQA); without prompts it
            has no effect.
        frame (int): The frame whose drawing is shown first.
        **generation: Options of ``UniPixel.generate``.

    Returns:
        DemoAnswer: The answer, drawings and masks.

    Raises:
        ValueError, FileNotFoundError: Bad input, named (the inferencer
            runs :func:`~unipixel_mm.apis.inference.check_request` first).
    """
    if media is None:
        raise ValueError('Upload an image or a video first')
    if prompts.get('corner') is not None:
        raise ValueError('A box has one corner so far: click its opposite '
                         'corner, or clear the prompts')
    has_prompts = bool(prompts['points'] or prompts['boxes'])
    request = InferenceRequest(
        media.path,
        text,
        points=prompts['points'],
        boxes=prompts['boxes'],
        segment_first=segment_first and has_prompts)
    # checked by the inferencer before any work (check_request)
    result = inferencer.run([request], progress=True, **generation)[0]
    drawings = UniPixelVisualizer().draw_video(
        result.frames,
        result.masks,
        points=result.prompts.get('points', ()),
        boxes=result.prompts.get('boxes', ()))
    shown = min(
        range(len(result.frame_inds)),
        key=lambda i: abs(result.frame_inds[i] - frame))
    return DemoAnswer(result.text, drawings, list(result.frame_inds), shown,
                      masks_to_rle(result))


def _safely(handler: Callable, num_outputs: int) -> Callable:
    """A handler whose error becomes its last output, a one-line message
    (logged with its traceback on the server), the others unchanged."""
    import gradio as gr

    # the signature and annotations stay the handler's: Gradio reads them
    # to pass event data (gr.SelectData) and progress trackers
    @functools.wraps(handler)
    def run(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except Exception as error:
            logger.warning('demo input refused', exc_info=True)
            return (*[gr.skip()] * (num_outputs - 1), one_line(error))

    return run


def build_demo(inferencer: UniPixelInferencer,
               generation: Optional[dict] = None,
               title: str = 'UniPixel'):
    """The Gradio page of a model.

    Args:
        inferencer (UniPixelInferencer): The model.
        generation (dict, optional): Options of ``UniPixel.generate``
            (``max_new_tokens``...).
        title (str): The page title.

    Returns:
        gradio.Blocks: The page; ``.queue().launch()`` serves it.
    """
    import gradio as gr
    generation = dict(generation or {})
    out_dir = tempfile.mkdtemp(prefix='unipixel_demo_')

    def on_upload(path):
        media = open_media(path)
        preview = draw_prompts(read_frame(media, 0), empty_prompts(), 0)
        slider = gr.update(
            maximum=max(media.num_frames - 1, 1),
            value=0,
            visible=media.num_frames > 1)
        kind = 'image' if media.num_frames == 1 else \
            f'video of {media.num_frames} frames'
        return (media, empty_prompts(), preview, slider, '',
                f'Loaded a {media.width}x{media.height} {kind}.')

    def on_clear_upload():
        return (None, empty_prompts(), None, gr.update(value=0, visible=False),
                '', '')

    def on_click(media, prompts, mode, frame, evt: gr.SelectData):
        x, y = evt.index[:2]
        prompts = add_click(prompts, media, mode, float(x), float(y),
                            int(frame))
        preview = draw_prompts(read_frame(media, int(frame)), prompts,
                               int(frame))
        return prompts, preview, describe_prompts(prompts), ''

    def on_frame(media, prompts, frame):
        if media is None:
            return gr.skip(), ''
        return draw_prompts(read_frame(media, int(frame)), prompts,
                            int(frame)), ''

    def on_clear_prompts(media, frame):
        preview = None if media is None else draw_prompts(
            read_frame(media, int(frame)), empty_prompts(), int(frame))
        return empty_prompts(), preview, '', ''

    def on_submit(media,
                  prompts,
                  text,
                  segment_first,
                  frame,
                  progress=gr.Progress(track_tqdm=True)):
        progress(0, desc='Reading the frames')
        result = answer(inferencer, media, text, prompts, bool(segment_first),
                        int(frame), **generation)
        path = osp.join(out_dir, f'{output_name(media.path)}_masks.json')
        with open(path, 'w') as f:
            json.dump(result.masks, f)
        gallery = [(drawing, f'frame {t}')
                   for drawing, t in zip(result.drawings, result.frame_inds)]
        num_objects = len(result.masks['objects'])
        return (result.text, result.drawings[result.shown], gallery, path,
                f'Done: {num_objects} object(s) on '
                f'{len(result.drawings)} frame(s).')

    with gr.Blocks(title=title, analytics_enabled=False) as demo:
        media = gr.State(None)
        prompts = gr.State(empty_prompts())
        gr.Markdown(
            f'# {title}\nUpload an image or a video, optionally click '
            'points or boxes (two corners) on a frame, type the text and '
            'run. Write `<|ref|>` in the text where a prompted object is '
            'meant (else `[i] <|ref|>` is put first).')
        with gr.Row():
            with gr.Column():
                upload = gr.File(
                    label='Image or video',
                    file_types=['image', 'video'],
                    elem_id='media')
                preview = gr.Image(
                    label='Prompt frame: click to add a point or a box corner',
                    type='numpy',
                    format='png',
                    interactive=False,
                    elem_id='preview')
                frame = gr.Slider(
                    0,
                    1,
                    value=0,
                    step=1,
                    label='Prompt frame',
                    visible=False,
                    elem_id='frame')
                mode = gr.Radio(
                    list(MODES),
                    value='point',
                    label='A click adds a',
                    elem_id='mode')
                prompt_text = gr.Textbox(
                    label='Prompts',
                    interactive=False,
                    lines=2,
                    elem_id='prompts')
                clear = gr.Button('Clear prompts', elem_id='clear')
                text = gr.Textbox(
                    label='Text',
                    value='Please segment the object.',
                    elem_id='text')
                segment_first = gr.Checkbox(
                    value=True,
                    label='With points / boxes: segment them first, then '
                    'answer with their masks (PixelQA)',
                    elem_id='segment-first')
                submit = gr.Button('Run', variant='primary', elem_id='submit')
            with gr.Column():
                message = gr.Textbox(
                    label='Message', interactive=False, elem_id='message')
                answer_box = gr.Textbox(
                    label='Answer', interactive=False, elem_id='answer')
                overlay = gr.Image(
                    label='Masks on the prompt frame',
                    type='numpy',
                    format='png',
                    interactive=False,
                    elem_id='overlay')
                gallery = gr.Gallery(
                    label='Masks on every sampled frame',
                    format='png',
                    elem_id='gallery')
                masks_file = gr.File(
                    label='Masks (COCO RLE, JSON)', elem_id='masks')

        upload.upload(
            _safely(on_upload, 6), [upload],
            [media, prompts, preview, frame, prompt_text, message])
        upload.clear(on_clear_upload, None,
                     [media, prompts, preview, frame, prompt_text, message])
        preview.select(
            _safely(on_click, 4), [media, prompts, mode, frame],
            [prompts, preview, prompt_text, message])
        frame.release(
            _safely(on_frame, 2), [media, prompts, frame], [preview, message])
        clear.click(
            _safely(on_clear_prompts, 4), [media, frame],
            [prompts, preview, prompt_text, message])
        submit.click(
            _safely(on_submit, 5),
            [media, prompts, text, segment_first, frame],
            [answer_box, overlay, gallery, masks_file, message])
    return demo


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='A web page to try UniPixel (Gradio)')
    add_model_arguments(parser, 'model')
    parser.add_argument(
        '--num-frames',
        type=_number(int, 1, '--num-frames'),
        default=16,
        help='frames sampled from a video')
    parser.add_argument(
        '--max-new-tokens',
        type=_number(int, 0, '--max-new-tokens'),
        default=512)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument(
        '--port', type=_number(int, 1, '--port'), default=7860)
    parser.add_argument(
        '--debug', action='store_true', help='show tracebacks of errors')
    return parser.parse_args(sys.argv[1:] if argv is None else argv)


def main(argv: Optional[Sequence[str]] = None, block: bool = True):
    """Loads the model and serves the page; an error before serving is one
    line and exit status 2.

    Args:
        argv (Sequence[str], optional): The arguments; ``sys.argv`` by
            default.
        block (bool): Serve until interrupted; else return once the
            server runs (tests close it with ``.close()``).

    Returns:
        gradio.Blocks: The page.
    """
    args = parse_args(argv)
    os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')
    with cli_errors(args.debug):
        resolve_model_args(args)
        try:
            import gradio as gr
        except ImportError:
            raise ImportError("the demo needs gradio: pip install -e "
                              "'.[demo]'") from None
        inferencer = UniPixelInferencer(
            args.model,
            processor=args.processor,
            checkpoint=args.checkpoint,
            device=args.device,
            num_frames=args.num_frames,
            sam2_config=args.sam2_config,
            random_weights=args.random_weights)
        page = build_demo(
            inferencer, generation=dict(max_new_tokens=args.max_new_tokens))
        # system fonts: the page requests nothing outside the server
        theme = gr.themes.Default(
            font=['ui-sans-serif', 'system-ui', 'sans-serif'],
            font_mono=['ui-monospace', 'monospace'])
        page.queue(default_concurrency_limit=1).launch(
            server_name=args.host,
            server_port=args.port,
            show_error=False,
            ssr_mode=False,
            theme=theme,
            prevent_thread_lock=not block)
    return page


if __name__ == '__main__':
    main()
