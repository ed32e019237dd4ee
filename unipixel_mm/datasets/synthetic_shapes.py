"""SyntheticShapes: images and short videos of moving coloured shapes.

A data set that needs no download, for tests and the tiny CPU training
config. Every sample is drawn in memory from a seed and its index, so the
same index always gives the same frames, masks and questions (the template
wording and the sampled prompts follow the global random state like any
pipeline randomness).
"""
import itertools
from typing import List, Sequence, Tuple

import cv2
import numpy as np
from mmengine.dataset import BaseDataset

from unipixel_mm.registry import DATASETS
from unipixel_mm.text import REF_TOKEN, SEG_TOKEN
from .base_pixel_dataset import TASKS, BasePixelDataset

COLOURS = {
    'red': (220, 40, 40),
    'green': (40, 190, 60),
    'blue': (50, 80, 230),
    'yellow': (230, 210, 40),
}
SHAPES = ('circle', 'square', 'triangle')
ATTRIBUTES = dict(colour=tuple(COLOURS), shape=SHAPES)


def draw_shape(canvas: np.ndarray, shape: str, center: Sequence[float],
               side: float, colour: Tuple[int, int, int]) -> np.ndarray:
    """Draws a filled shape and returns its mask.

    Args:
        canvas (np.ndarray): (H, W, 3) uint8, drawn on in place.
        shape (str): ``'circle'``, ``'square'`` or ``'triangle'``.
        center (Sequence[float]): (x, y) in pixels.
        side (float): Diameter / side / base in pixels.
        colour (tuple[int, int, int]): RGB.

    Returns:
        np.ndarray: (H, W) bool, the pixels of the shape.
    """
    mask = np.zeros(canvas.shape[:2], dtype=np.uint8)
    cx, cy, half = center[0], center[1], side / 2
    if shape == 'circle':
        cv2.circle(mask, (round(cx), round(cy)), round(half), 1, -1)
    elif shape == 'square':
        cv2.rectangle(mask, (round(cx - half), round(cy - half)),
                      (round(cx + half), round(cy + half)), 1, -1)
    elif shape == 'triangle':
        points = np.array([[cx, cy - half], [cx - half, cy + half],
                           [cx + half, cy + half]]).round().astype(np.int32)
        cv2.fillPoly(mask, [points], 1)
    else:
        raise ValueError(f'unknown shape {shape!r}')
    mask = mask.astype(bool)
    canvas[mask] = colour
    return mask


@DATASETS.register_module()
class SyntheticShapesDataset(BasePixelDataset):
    """Moving coloured shapes with referring expressions and questions.

    Each sample is a 1-``max_frames`` frame clip (one frame: an image) of
    ``min_size``-``max_size`` pixels per side with ``min_objects``-
    ``max_objects`` distinct shapes (circle / square / triangle in red /
    green / blue / yellow, no two alike: the names tell them apart) moving
    in straight lines and bouncing off the borders. Every object is visible
    in every frame. The samples cycle through ``tasks``:

    - ``seg``: one turn per shape, ``'query'`` "the red circle" (the
      reference's templates; the answer holds ``<|seg|>``), or with
      ``name_in_answer`` a ``'question'`` turn whose answer names it;
    - ``ref``: "What colour is <|ref|>?" -> "red", or its shape, per
      shape; with two or more shapes also a two-object question;
    - ``mem``: PixelQA's first pass, "What colour is [3] <|ref|>? Please
      localize the relevant objects with IDs." -> "[3] <|seg|>" (or its
      shape; the object is named by its prompt alone), per shape; with
      two or more shapes also a two-object question;
    - ``region``: "What colour is [3]?" -> "red", the object given by its
      mask (``<|mem|>`` tokens).

    With ``sample_per_object`` every clip gives one sample per shape, the
    turn about that shape alone: the samples of a clip share its frames and
    its ``video_id`` and differ only in the object the text names, which is
    what :class:`~unipixel_mm.evaluation.TextSwapMetric` compares.

    Args:
        num_samples (int): Length of the data set (the number of clips
            with ``sample_per_object``).
        tasks (Sequence[str]): Task forms, used in turn.
        min_size (int): Least frame side in pixels.
        max_size (int): Largest frame side in pixels.
        max_frames (int): Most frames per clip.
        max_objects (int): Most shapes per clip.
        min_objects (int): Least shapes per clip. Defaults to 1.
        sample_per_object (bool): One sample per shape of a clip (see
            above). Defaults to False.
        unique (Sequence[str]): The attributes, of ``'colour'`` and
            ``'shape'``, that no two shapes of a clip share (then either
            word alone names the object). Defaults to none: two shapes may
            share a colour or a shape, not both.
        name_in_answer (bool): In the ``seg`` form, ask "Where is the red
            circle? ..." (the reference's question-and-answer segmentation
            templates) and answer "The red circle <|seg|>.", the name
            right before its ``<|seg|>``, instead of the reference's query
            templates and answers without the name. Defaults to False.
        seed (int): Seed of the generator.
        **kwargs: :class:`BasePixelDataset` arguments (``pipeline``,
            ``test_mode``, ...).
    """

    METAINFO = dict(classes=tuple(f'{c} {s}' for c, s in itertools.product(
        COLOURS, SHAPES)))

    def __init__(self,
                 num_samples: int = 64,
                 tasks: Sequence[str] = ('seg', 'ref', 'mem', 'region'),
                 min_size: int = 56,
                 max_size: int = 112,
                 max_frames: int = 4,
                 max_objects: int = 3,
                 min_objects: int = 1,
                 sample_per_object: bool = False,
                 unique: Sequence[str] = (),
                 name_in_answer: bool = False,
                 seed: int = 0,
                 **kwargs) -> None:
        unknown = set(tasks) - (set(TASKS) - {'chat'})
        if unknown:
            raise ValueError(f'unknown tasks {sorted(unknown)}')
        unknown = set(unique) - set(ATTRIBUTES)
        if unknown:
            raise ValueError(f'unknown unique attributes {sorted(unknown)}, '
                             f'expected some of {tuple(ATTRIBUTES)}')
        most = min([len(COLOURS) * len(SHAPES)] +
                   [len(ATTRIBUTES[a]) for a in unique])
        if not 1 <= max_objects <= most:
            limit = f' with unique={tuple(unique)}' if unique else ''
            raise ValueError(f'max_objects must be in [1, {most}]{limit}, '
                             f'got {max_objects}')
        if not 1 <= min_objects <= max_objects:
            raise ValueError(f'min_objects must be in [1, max_objects='
                             f'{max_objects}], got {min_objects}')
        self.num_samples = num_samples
        self.tasks = tuple(tasks)
        self.min_size = min_size
        self.max_size = max_size
        self.max_frames = max_frames
        self.max_objects = max_objects
        self.min_objects = min_objects
        self.sample_per_object = sample_per_object
        self.unique = tuple(unique)
        self.name_in_answer = name_in_answer
        super().__init__(seed=seed, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One light record per sample; the clip is drawn on access."""
        records = []
        for clip in range(self.num_samples):
            record = dict(
                task=self.tasks[clip % len(self.tasks)],
                entry=f'synthetic_shapes {clip}',
                video_id=str(clip),
                clip=clip)
            if not self.sample_per_object:
                records.append(record)
                continue
            num_objs = self._clip_layout(self._clip_rng(clip))[3]
            records += [
                dict(record, entry=f'synthetic_shapes {clip} object {o}',
                     named_object=o) for o in range(num_objs)
            ]
        return records

    def _clip_rng(self, clip: int) -> np.random.Generator:
        """The generator that draws clip ``clip`` (frames and wording)."""
        return np.random.default_rng((self.seed, clip))

    def get_data_info(self, idx: int) -> dict:
        """Draws sample ``idx`` and formats its conversation."""
        info = BaseDataset.get_data_info(self, idx)
        rng = self._clip_rng(info.pop('clip'))
        frames, objects = self._draw_clip(rng)
        turns = self._turns(info['task'], objects, rng, self.name_in_answer)
        named = info.pop('named_object', None)
        if named is not None:
            turns = [t for t in turns if t['obj_inds'] == [named]]
        info.update(frames=frames, objects=objects, turns=turns)
        return self.format_sample(info)

    def medium(self, idx: int) -> str:
        """``'image'`` for a one-frame clip, else ``'video'`` (drawn from the
        clip's seed without drawing its frames)."""
        clip = BaseDataset.get_data_info(self, idx)['clip']
        num_frames = self._clip_layout(self._clip_rng(clip))[2]
        return 'image' if num_frames == 1 else 'video'

    def _clip_layout(self, rng: np.random.Generator) -> Tuple[int, ...]:
        """The first draws of a clip: height, width, frames, shapes."""
        height, width = rng.integers(self.min_size, self.max_size + 1, 2)
        num_frames = int(rng.integers(1, self.max_frames + 1))
        num_objs = int(rng.integers(self.min_objects, self.max_objects + 1))
        return int(height), int(width), num_frames, num_objs

    def _draw_clip(self, rng: np.random.Generator):
        """Draws a clip whose shapes are all visible in every frame.

        Returns:
            tuple: frames (T, H, W, 3) uint8 and a list of objects
            ``dict(masks=[(H, W) bool per frame], colour, shape, oid)``.
        """
        height, width, num_frames, num_objs = self._clip_layout(rng)
        kinds = list(itertools.product(COLOURS, SHAPES))
        picks = self._pick_kinds(rng, num_objs)
        oids = rng.choice(16, num_objs, replace=False)
        for _ in range(100):
            frames, masks = self._draw_motion(rng, height, width, num_frames,
                                              [kinds[i] for i in picks])
            # a shape hidden behind later ones in some frame: draw again
            if masks.reshape(num_frames, num_objs, -1).any(-1).all():
                break
        else:
            raise RuntimeError(f'could not draw {num_objs} visible shapes '
                               f'in {height}x{width} frames')
        objects = [
            dict(
                masks=list(masks[:, o]),
                colour=kinds[p][0],
                shape=kinds[p][1],
                oid=str(oids[o])) for o, p in enumerate(picks)
        ]
        return frames, objects

    def _pick_kinds(self, rng: np.random.Generator,
                    num_objs: int) -> List[int]:
        """Indices into ``product(COLOURS, SHAPES)`` of ``num_objs`` shapes,
        none alike, no two sharing an attribute of ``self.unique`` (each
        such attribute drawn without replacement)."""
        num_shapes = len(SHAPES)
        if not self.unique:
            return list(rng.choice(len(COLOURS) * num_shapes, num_objs,
                                   replace=False))
        draws = {
            attr: rng.choice(len(values), num_objs,
                             replace=attr not in self.unique)
            for attr, values in ATTRIBUTES.items()
        }
        return [
            int(c) * num_shapes + int(s)
            for c, s in zip(draws['colour'], draws['shape'])
        ]

    @staticmethod
    def _draw_motion(rng: np.random.Generator, height: int, width: int,
                     num_frames: int, kinds: list):
        size = np.array([width, height], dtype=float)
        sides = rng.uniform(0.25, 0.4, len(kinds)) * min(height, width)
        centers = [rng.uniform(s / 2, size - s / 2) for s in sides]
        speeds = [rng.uniform(-0.08, 0.08, 2) * size for _ in sides]
        noise = rng.integers(0, 24, (num_frames, height, width, 1))
        frames = (noise + 30).repeat(3, axis=-1).astype(np.uint8)
        drawn = np.zeros((num_frames, len(kinds), height, width), dtype=bool)
        for t in range(num_frames):
            for o, ((colour, shape), side) in enumerate(zip(kinds, sides)):
                pos = centers[o] + speeds[o] * t
                low, high = side / 2, size - side / 2
                # bounce: reflect the path into [low, high]
                span = high - low
                pos = low + np.abs((pos - low + span) % (2 * span) - span)
                drawn[t, o] = draw_shape(frames[t], shape, pos, side,
                                         COLOURS[colour])
        visible = drawn.copy()
        for o in range(len(kinds)):
            visible[:, o] &= ~drawn[:, o + 1:].any(axis=1)
        return frames, visible

    @staticmethod
    def _turns(task: str, objects: List[dict], rng: np.random.Generator,
               name_in_answer: bool = False) -> List[dict]:
        """The raw turns of a clip in one task form."""
        turns = []
        for o, obj in enumerate(objects):
            name = f"{obj['colour']} {obj['shape']}"
            if task == 'seg' and name_in_answer:
                turns.append(
                    dict(
                        type='question',
                        query=f'Where is the {name}?',
                        answer=f'The {name}'))
            elif task == 'seg':
                turns.append(dict(type='query', query=f'the {name}'))
            elif task == 'ref':
                attr = 'colour' if rng.random() < 0.5 else 'shape'
                turns.append(
                    dict(
                        type='qa',
                        question=f'What {attr} is {REF_TOKEN}?',
                        answer=obj[attr]))
            elif task == 'mem':
                # PixelQA's first pass: the question does not name the
                # object, the point or box alone tells which one it is
                attr = 'colour' if rng.random() < 0.5 else 'shape'
                turns.append(
                    dict(
                        type='qa',
                        question=f"What {attr} is [{obj['oid']}] "
                        f'{REF_TOKEN}?',
                        answer=f"[{obj['oid']}] {SEG_TOKEN}"))
            elif task == 'region':
                turns.append(
                    dict(
                        type='qa',
                        question=f"What colour is [{obj['oid']}]?",
                        answer=obj['colour']))
            turns[-1]['obj_inds'] = [o]
        if len(objects) >= 2 and task in ('ref', 'mem', 'region'):
            first, second = objects[:2]
            if task == 'ref':
                question = f'What colours are {REF_TOKEN} and {REF_TOKEN}?'
                answer = f"{first['colour']} and {second['colour']}"
            elif task == 'mem':
                question = f"Where are [{first['oid']}] {REF_TOKEN} and " \
                    f"[{second['oid']}] {REF_TOKEN}?"
                answer = f"[{first['oid']}] {SEG_TOKEN} " \
                    f"[{second['oid']}] {SEG_TOKEN}"
            else:
                question = f"What shapes are [{first['oid']}] and " \
                    f"[{second['oid']}]?"
                answer = f"{first['shape']} and {second['shape']}"
            turns.append(
                dict(type='qa', question=question, answer=answer,
                     obj_inds=[0, 1]))
        return turns
