"""Processing transforms: object sampling, Qwen2.5-VL patches, SAM2 frames
and visual prompts.

Shapes: T sampled frames of (H, W) pixels; O objects; S the SAM2 side;
(grid_t, grid_h, grid_w) the Qwen2.5-VL patch grid, grid_t = ceil(T / 2).
A text-only sample (no frames, see :func:`~.loading.text_only`) passes
through the frame and prompt transforms unchanged.
"""
import math
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log
from PIL import Image
from sam2.modeling.sam2_utils import get_next_point

from unipixel_mm.registry import TRANSFORMS
from ..tokenizer import get_processor
from .loading import describe, resize_masks, sample_frame_inds, text_only

#: ImageNet statistics the SAM2 (Hiera) image encoder expects.
SAM2_MEAN = (0.485, 0.456, 0.406)
SAM2_STD = (0.229, 0.224, 0.225)


@TRANSFORMS.register_module()
class SampleObjects(BaseTransform):
    """Randomly keeps some conversation turns and lists their objects.

    A sample may hold more turns (expressions, classes, questions) than one
    training sequence takes; the reference keeps ``max_conv_turns`` of them
    in random order. With one object per turn (referring and semantic
    segmentation data) this samples objects.

    The kept objects are listed in the order of their special tokens: the
    concatenation of the turns' objects, so that an object two turns refer
    to (two sentences about one ref) gets an entry, and a ``<|seg|>`` /
    ``<|ref|>``, per turn; with mask prompts (``prompt_type='mask'``) every
    object is listed once, as the region prefix names it once.

    Required keys:
        - ``turns`` (list[dict]): each with ``obj_inds`` (list[int]).
        - ``objects`` (list[dict]).
        - optional ``prompt_type``.

    Modified keys: ``turns`` (the kept ones, in sampled order, ``obj_inds``
    renumbered) and ``objects`` (empty in a text-only sample, see
    :func:`~.loading.text_only`).

    Args:
        max_turns (int): Turns to keep; -1 keeps all in their order.
            Defaults to 1.
        max_objects (int): Samples with more objects after sampling are
            skipped (the pipeline returns None and the data set draws
            another sample), as the reference's ``max_num_objects`` does;
            -1 for no limit. Defaults to -1.
    """

    def __init__(self, max_turns: int = 1, max_objects: int = -1) -> None:
        self.max_turns = max_turns
        self.max_objects = max_objects

    def transform(self, results: dict) -> Optional[dict]:
        """Samples the turns; see the class docstring for the keys."""
        turns = results['turns']
        objects = results.get('objects', [])
        if not turns:
            raise ValueError(f'{describe(results)}: no conversation turns')
        if 0 < self.max_turns < len(turns):
            keep = np.random.choice(len(turns), self.max_turns, replace=False)
            turns = [turns[i] for i in keep]
        used = [i for turn in turns for i in turn.get('obj_inds', [])]
        if any(i >= len(objects) for i in used):
            raise ValueError(f'{describe(results)}: a turn uses object '
                             f'{max(used)}, the sample has {len(objects)}')
        unique = results.get('prompt_type') == 'mask'
        if unique:
            used = list(dict.fromkeys(used))
        if 0 < self.max_objects < len(used):
            print_log(
                f'{describe(results)}: skipped, {len(used)} objects > '
                f'{self.max_objects}',
                logger='current')
            return None
        new_turns, pos = [], 0
        for turn in turns:
            inds = turn.get('obj_inds', [])
            if unique:
                new_inds = [used.index(i) for i in inds]
            else:
                new_inds = list(range(pos, pos + len(inds)))
                pos += len(inds)
            new_turns.append(dict(turn, obj_inds=new_inds))
        results['turns'] = new_turns
        results['objects'] = [objects[i] for i in used]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_turns={self.max_turns}, '
                f'max_objects={self.max_objects})')


@TRANSFORMS.register_module()
class SingleFramePrompts(BaseTransform):
    """Keeps the mask prompts of one frame, with probability ``prob``.

    As the reference does for half of the Inst-IT region samples: a random
    sampled frame on which every object is present keeps its masks and the
    other frames are cleared, so that the model learns prompts given on a
    single frame. Samples with no such frame are left as they are. Place it
    after :class:`LoadObjectMasks` in pipelines of the ``region`` form (the
    masks are prompts there, not targets).

    Required keys: ``obj_masks`` (T, O, H, W) bool.

    Modified keys: ``obj_masks``.

    Args:
        prob (float): Probability of the single-frame prompt. Defaults to
            0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """Clears all frames but one; see the class docstring."""
        masks = results['obj_masks']
        if np.random.rand() >= self.prob or masks.shape[1] == 0:
            return results
        full = masks.reshape(*masks.shape[:2], -1).any(-1).all(1).nonzero()[0]
        if len(full):
            keep = full[np.random.randint(len(full))]
            single = np.zeros_like(masks)
            single[keep] = masks[keep]
            results['obj_masks'] = single
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'


def smart_resize(height: int,
                 width: int,
                 factor: int = 28,
                 min_pixels: int = 4 * 28 * 28,
                 max_pixels: int = 16384 * 28 * 28) -> Tuple[int, int]:
    """Qwen2.5-VL's frame size: multiples of ``factor``, area within bounds.

    The rule of ``qwen_vl_utils`` that the reference uses: round each side
    to the nearest multiple of ``factor`` (at least ``factor``); if the area
    is below ``min_pixels`` scale up (rounding up), then if it is above
    ``max_pixels`` scale down (rounding down), keeping the aspect ratio.

    Args:
        height (int): Frame height.
        width (int): Frame width.
        factor (int): Patch size times merge size. Defaults to 28.
        min_pixels (int): Least area.
        max_pixels (int): Largest area.

    Returns:
        tuple[int, int]: (resized height, resized width).
    """
    if max(height, width) / min(height, width) > 200:
        raise ValueError(f'aspect ratio of a {height}x{width} frame exceeds '
                         '200')
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        h_bar = math.floor(height / beta / factor) * factor
        w_bar = math.floor(width / beta / factor) * factor
    return h_bar, w_bar


@TRANSFORMS.register_module()
class QwenVideoProcess(BaseTransform):
    """Turns the frames into Qwen2.5-VL video patches.

    As the reference: every frame is resized (PIL bicubic) to
    :func:`smart_resize` with ``max_pixels`` scaled by
    ``max(1, frame_budget // T)`` (fewer frames get more pixels each), then
    the transformers video processor (no second resize) pads the frames to
    an even number, normalises (CLIP statistics) and cuts
    (temporal 2 x 14 x 14) patches in the merge order the vision encoder
    expects.

    With ``num_frames`` the vision encoder sees that many of the loaded
    frames, sampled uniformly, while SAM2 and the masks keep all of them:
    the reference evaluates video segmentation so (16 frames for the LLM,
    a mask for every frame). Samples with visual prompts need the same
    frames on both sides and are refused then.

    Required keys: ``frames`` (np.ndarray): (T, H, W, 3) uint8; none for a
    text-only sample, which gets no added keys.

    Added keys:
        - ``pixel_values_videos`` (Tensor): (grid_t * grid_h * grid_w,
          3 * 2 * 14 * 14) float.
        - ``llm_frame_inds`` (list[int]): the frames the encoder sees.
        - ``video_grid_thw`` (Tensor): (3,) long.
        - ``second_per_grid_ts`` (float): temporal patch size / ``fps``.
        - ``qwen_size`` (tuple[int, int]): the resized (h, w).

    Args:
        processor (str | dict): Model directory or processor builder config,
            see :func:`~unipixel_mm.datasets.tokenizer.get_processor`.
        min_pixels (int): Least frame area. Defaults to 128 * 28 * 28.
        max_pixels (int): Largest frame area before the frame-budget
            scaling. Defaults to 256 * 28 * 28.
        frame_budget (int, optional): The number of frames the pixel budget
            is made for (the reference's ``sample_frames``, 8); None turns the
            scaling off. Defaults to 8.
        fps (float): Frames per second the model is told, which sets
            ``second_per_grid_ts``, unless the sample has ``sample_fps``
            (the rate of frames sampled by Qwen's fps rule, see
            :class:`~.loading.LoadFrames`); the reference passes 2 for
            frame lists.
        num_frames (int, optional): Frames the vision encoder sees (see
            above); None for all. Defaults to None.
    """

    def __init__(self,
                 processor: Union[str, dict],
                 min_pixels: int = 128 * 28 * 28,
                 max_pixels: int = 256 * 28 * 28,
                 frame_budget: Optional[int] = 8,
                 fps: float = 2.0,
                 num_frames: Optional[int] = None) -> None:
        self.processor_cfg = processor
        self.video_processor = get_processor(processor).video_processor
        self.min_pixels = min_pixels
        self.max_pixels = max_pixels
        self.frame_budget = frame_budget
        self.fps = fps
        self.num_frames = num_frames

    def transform(self, results: dict) -> dict:
        """Makes the patches; see the class docstring for the keys."""
        if text_only(results):
            return results
        frames = results['frames']
        inds = sample_frame_inds(len(frames), self.num_frames or -1)
        if len(inds) < len(frames):
            if results.get('prompt_type') is not None:
                raise ValueError(
                    f'{describe(results)}: visual prompts need the same '
                    f'frames for the LLM and SAM2; num_frames='
                    f'{self.num_frames} samples {len(inds)} of '
                    f'{len(frames)}')
            frames = frames[inds]
        results['llm_frame_inds'] = inds
        num, height, width = frames.shape[:3]
        vp = self.video_processor
        scale = max(1, self.frame_budget // num) if self.frame_budget else 1
        size = smart_resize(height, width, vp.patch_size * vp.merge_size,
                            self.min_pixels, self.max_pixels * scale)
        if size != (height, width):
            frames = np.stack([
                np.asarray(
                    Image.fromarray(f).resize(size[::-1], Image.BICUBIC))
                for f in frames
            ])
        out = vp(
            videos=[frames],
            do_resize=False,
            do_sample_frames=False,
            return_tensors='pt')
        results['pixel_values_videos'] = out['pixel_values_videos']
        results['video_grid_thw'] = out['video_grid_thw'][0].long()
        fps = results.get('sample_fps') or self.fps
        results['second_per_grid_ts'] = vp.temporal_patch_size / fps
        results['qwen_size'] = size
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(processor={self.processor_cfg!r}, '
                f'min_pixels={self.min_pixels}, max_pixels={self.max_pixels}, '
                f'frame_budget={self.frame_budget}, fps={self.fps}, '
                f'num_frames={self.num_frames})')


@TRANSFORMS.register_module()
class SAM2Resize(BaseTransform):
    """Resizes frames and object masks to the square SAM2 input.

    Frames are scaled to [0, 1], resized bilinearly (antialiased) to
    ``size`` x ``size`` and normalised with the ImageNet statistics; masks
    are resized bilinearly and thresholded at 0, as the reference does.

    Required keys: ``frames`` (T, H, W, 3) uint8; optional ``obj_masks``
    (T, O, H, W) bool.

    Added keys:
        - ``sam2_frames`` (Tensor): (T, 3, S, S) float.
        - ``sam2_masks`` (Tensor): (T, O, S, S) bool, O = 0 without masks.
        - ``sam2_size`` (int): S; the only key a text-only sample (no
          ``frames``) gets.

    Args:
        size (int): SAM2 image side; 768 for the official checkpoints.
        mean (Sequence[float]): Normalisation mean (of [0, 1] values).
        std (Sequence[float]): Normalisation std.
    """

    def __init__(self,
                 size: int = 768,
                 mean: Sequence[float] = SAM2_MEAN,
                 std: Sequence[float] = SAM2_STD) -> None:
        self.size = size
        self.mean = tuple(mean)
        self.std = tuple(std)

    def transform(self, results: dict) -> dict:
        """Resizes; see the class docstring for the keys."""
        results['sam2_size'] = self.size
        if text_only(results):
            return results
        frames = torch.from_numpy(results['frames']).permute(0, 3, 1, 2)
        frames = F.interpolate(
            frames.float() / 255, (self.size, self.size),
            mode='bilinear',
            align_corners=False,
            antialias=True)
        mean = frames.new_tensor(self.mean)[None, :, None, None]
        std = frames.new_tensor(self.std)[None, :, None, None]
        results['sam2_frames'] = (frames - mean) / std
        if results.get('obj_masks') is not None:
            masks = torch.from_numpy(results['obj_masks'])
        else:
            masks = torch.zeros(len(frames), 0, 1, 1, dtype=torch.bool)
        results['sam2_masks'] = resize_masks(masks, (self.size, self.size))
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'mean={self.mean}, std={self.std})')


def sample_point(mask: torch.Tensor, mode: str = 'random') -> torch.Tensor:
    """A positive point on a mask.

    Args:
        mask (Tensor): (S, S) bool, not empty.
        mode (str): ``'random'``: a uniformly random pixel (training);
            ``'center'``: the pixel farthest from the mask's boundary, as
            ``sam2``'s ``get_next_point(..., 'center')`` picks it (the
            reference's PixelQA evaluation).

    Returns:
        Tensor: (1, 2) float (x, y) in pixels.
    """
    if mode == 'center':
        points, _ = get_next_point(mask.bool()[None, None], None, 'center')
        return points[0].float()
    if mode != 'random':
        raise ValueError(f'unknown point sampling mode {mode!r}')
    ys, xs = mask.nonzero(as_tuple=True)
    i = np.random.randint(len(xs))
    return torch.tensor([[xs[i], ys[i]]], dtype=torch.float)


def sample_box(mask: torch.Tensor,
               noise: float = 0.1,
               noise_bound: float = 20) -> torch.Tensor:
    """The tight box of a mask with SAM's corner noise.

    Each coordinate moves by up to ``noise`` times the box side, at most
    ``noise_bound`` pixels, and is clamped to the frame ([0, S - 1]).

    Args:
        mask (Tensor): (H, W) bool, not empty.
        noise (float): Noise as a fraction of the box width / height.
        noise_bound (float): Largest noise in pixels.

    Returns:
        Tensor: (2, 2) float: (x1, y1), (x2, y2) in pixels.
    """
    ys, xs = mask.nonzero(as_tuple=True)
    box = torch.stack([xs.min(), ys.min(), xs.max(), ys.max()]).float()
    if noise > 0:
        dx = min((box[2] - box[0]).item() * noise, noise_bound)
        dy = min((box[3] - box[1]).item() * noise, noise_bound)
        jitter = torch.from_numpy(np.random.uniform(-1, 1, 4)).float()
        box = box + jitter * box.new_tensor([dx, dy, dx, dy])
        height, width = mask.shape
        upper = box.new_tensor([width, height, width, height]) - 1
        box = torch.minimum(box.clamp(min=0), upper)
    return box.view(2, 2)


def masks_to_token_grid(masks: torch.Tensor,
                        grid_thw: Sequence[int],
                        patch_size: int = 14,
                        merge_size: int = 2,
                        temporal_patch_size: int = 2) -> torch.Tensor:
    """Object masks as mask prompts on the merged vision-token grid.

    The frames are grouped as the vision encoder groups them
    (``temporal_patch_size`` frames, an incomplete last group padded with
    its last frame) and OR-ed; each group is resized to the patch grid
    (grid_h * patch, grid_w * patch; bilinear, antialiased) and max-pooled
    by ``patch_size * merge_size``: a token holds the object where any of
    its pixels does.

    Args:
        masks (Tensor): (T, O, H, W) bool or float masks.
        grid_thw (Sequence[int]): The video's (grid_t, grid_h, grid_w).
        patch_size (int): Vision patch size. Defaults to 14.
        merge_size (int): Spatial merge size. Defaults to 2.
        temporal_patch_size (int): Frames per temporal patch. Defaults to 2.

    Returns:
        Tensor: (grid_t, O, grid_h / merge, grid_w / merge) bool.
    """
    masks = masks.float()
    pad = -len(masks) % temporal_patch_size
    if pad:
        masks = torch.cat([masks, masks[-1:].expand(pad, -1, -1, -1)])
    # a temporal group holds the object where any of its frames does
    masks = masks.unflatten(0, (-1, temporal_patch_size)).amax(dim=1)
    grid_t, grid_h, grid_w = (int(x) for x in grid_thw)
    if len(masks) != grid_t:
        raise ValueError(f'{len(masks)} temporal groups of masks, the video '
                         f'grid has {grid_t}')
    size = (grid_h * patch_size, grid_w * patch_size)
    masks = F.interpolate(
        masks, size, mode='bilinear', align_corners=False, antialias=True)
    kernel = patch_size * merge_size
    return F.max_pool2d(masks, kernel_size=kernel, stride=kernel) > 0


def _check_inside(points: np.ndarray, frame_size: Tuple[int, int],
                  where: str) -> None:
    height, width = frame_size
    bad = (points[:, 0] < 0) | (points[:, 0] >= width) | (
        points[:, 1] < 0) | (points[:, 1] >= height)
    if bad.any():
        raise ValueError(f'{where}: prompt {points[bad].tolist()} is outside '
                         f'the {height}x{width} frame')


@TRANSFORMS.register_module()
class SamplePrompts(BaseTransform):
    """Visual prompts of the objects: points / boxes, or masks.

    ``prompt_type`` (a key set by the data set) chooses the prompt:

    - ``'point'``: one positive point on the object's mask (label 1), on a
      random frame where it is present, or on the ``prompt_frame``;
      uniform over the mask, or its centre with ``point_sampling='center'``.
    - ``'box'``: the noisy tight box of the mask on such a frame (labels
      2, 3 for the corners); ``box_noise=0`` gives the tight box.
    - ``'mix'``: points for a random half of the objects (rounded), boxes
      for the others; a single object gets either, as the reference's
      PixelQA ``mix`` prompts.
    - ``'mask'``: the masks themselves as a mask prompt on the merged
      vision-token grid: the frames are paired as the vision encoder pairs
      them (an odd last frame pairs with itself) and OR-ed, each pair is
      resized to the patch grid (grid_h * 14, grid_w * 14) and max-pooled
      by 28 to (grid_h / 2, grid_w / 2).
    - ``None``: no prompt; a text-only sample must have none.

    Points and boxes are in pixels of the SAM2 frame, sampled from
    ``sam2_masks`` as the reference does; an object may instead carry a
    given prompt, ``objects[i]['prompt'] = dict(frame=k, point=[x, y])`` or
    ``dict(frame=k, box=[x1, y1, x2, y2])`` in pixels of the original frame
    on candidate frame ``k``, which must be inside the frame and sampled.

    Required keys: ``prompt_type``; ``sam2_masks`` (T, O, S, S) for points
    and boxes, ``obj_masks`` (T, O, H, W) and ``video_grid_thw`` for masks;
    optional ``prompt_frame`` (int): the candidate frame (as in
    ``frame_inds``) all point / box prompts are drawn on, e.g. the
    annotated frame of a benchmark question; it must be sampled.

    Added keys:
        - ``prompt_coords`` (list[Tensor]): per object (P, 2) float (x, y).
        - ``prompt_labels`` (list[Tensor]): per object (P,) long.
        - ``prompt_frames`` (Tensor): (O,) long, sampled-frame index.
        - ``prompt_masks`` (Tensor): (grid_t, O, grid_h / 2, grid_w / 2)
          bool.

    Args:
        patch_size (int): Vision patch size. Defaults to 14.
        merge_size (int): Spatial merge size. Defaults to 2.
        temporal_patch_size (int): Frames per temporal patch. Defaults to 2.
        box_noise (float): See :func:`sample_box`. Defaults to 0.1.
        point_sampling (str): ``'random'`` or ``'center'``, see
            :func:`sample_point`. Defaults to ``'random'``.
    """

    def __init__(self,
                 patch_size: int = 14,
                 merge_size: int = 2,
                 temporal_patch_size: int = 2,
                 box_noise: float = 0.1,
                 point_sampling: str = 'random') -> None:
        if point_sampling not in ('random', 'center'):
            raise ValueError(f'unknown point_sampling {point_sampling!r}, '
                             "choose 'random' or 'center'")
        self.patch_size = patch_size
        self.merge_size = merge_size
        self.temporal_patch_size = temporal_patch_size
        self.box_noise = box_noise
        self.point_sampling = point_sampling

    def transform(self, results: dict) -> dict:
        """Samples prompts; see the class docstring for the keys."""
        if text_only(results, ('sam2_masks', 'obj_masks')):
            return results
        prompt_type = results.get('prompt_type')
        if prompt_type in ('point', 'box', 'mix'):
            self._points_or_boxes(results, prompt_type)
        elif prompt_type == 'mask':
            results['prompt_masks'] = self._mask_prompts(results)
        elif prompt_type is not None:
            raise ValueError(f'{describe(results)}: unknown prompt_type '
                             f'{prompt_type!r}')
        return results

    @staticmethod
    def _kinds(prompt_type: str, num_objs: int) -> List[str]:
        """The prompt kind of each object."""
        if prompt_type != 'mix':
            return [prompt_type] * num_objs
        if num_objs == 1:
            return [('point', 'box')[np.random.randint(2)]]
        points = set(
            np.random.choice(num_objs, round(num_objs / 2),
                             replace=False).tolist())
        return ['point' if o in points else 'box' for o in range(num_objs)]

    def _prompt_frames(self, results: dict, o: int, where: str) -> list:
        """Sampled frames a prompt of object ``o`` may be drawn on."""
        masks = results['sam2_masks']
        present = masks[:, o].flatten(1).any(dim=1).nonzero()[:, 0].tolist()
        if results.get('prompt_frame') is None:
            if not present:
                raise ValueError(f'{where}: empty mask at the SAM2 size, '
                                 'no prompt can be sampled')
            return present
        cand = results['prompt_frame']
        if cand not in results['frame_inds']:
            raise ValueError(f'{where}: prompt frame {cand} was not sampled '
                             f"({results['frame_inds']})")
        frame = results['frame_inds'].index(cand)
        if frame not in present:
            raise ValueError(f'{where}: empty mask on the prompt frame '
                             f'{cand} at the SAM2 size, no prompt can be '
                             'drawn')
        return [frame]

    def _points_or_boxes(self, results: dict, prompt_type: str) -> None:
        masks = results['sam2_masks']
        coords, labels, frames = [], [], []
        kinds = self._kinds(prompt_type, len(results['objects']))
        for o, obj in enumerate(results['objects']):
            where = f'{describe(results)}: object {o}'
            if obj.get('prompt') is not None:
                frame, xy, label = self._given_prompt(obj['prompt'], results,
                                                      where)
            else:
                present = self._prompt_frames(results, o, where)
                frame = int(present[np.random.randint(len(present))])
                if kinds[o] == 'point':
                    xy = sample_point(masks[frame, o], self.point_sampling)
                    label = [1]
                else:
                    xy = sample_box(masks[frame, o], self.box_noise)
                    label = [2, 3]
            coords.append(xy)
            labels.append(torch.tensor(label, dtype=torch.long))
            frames.append(frame)
        results['prompt_coords'] = coords
        results['prompt_labels'] = labels
        results['prompt_frames'] = torch.tensor(frames, dtype=torch.long)

    @staticmethod
    def _given_prompt(prompt: dict, results: dict, where: str):
        """A given point or box, scaled from the original to the SAM2 frame.

        Returns:
            tuple: (sampled frame index, (P, 2) float coords, labels).
        """
        frame_size = tuple(results['frame_size'])
        if 'point' in prompt:
            points, label = np.asarray([prompt['point']], float), [1]
        elif 'box' in prompt:
            points, label = np.asarray(prompt['box'], float).reshape(2, 2), [
                2, 3
            ]
        else:
            raise ValueError(f'{where}: a given prompt needs a point or box, '
                             f'got keys {sorted(prompt)}')
        _check_inside(points, frame_size, where)
        cand = prompt.get('frame', 0)
        if cand not in results['frame_inds']:
            raise ValueError(f'{where}: prompt frame {cand} was not sampled '
                             f"({results['frame_inds']})")
        size = results['sam2_size']
        scale = np.array([size / frame_size[1], size / frame_size[0]])
        xy = torch.from_numpy(points * scale).float()
        return results['frame_inds'].index(cand), xy, label

    def _mask_prompts(self, results: dict) -> torch.Tensor:
        try:
            masks = masks_to_token_grid(
                torch.from_numpy(results['obj_masks']),
                results['video_grid_thw'].tolist(), self.patch_size,
                self.merge_size, self.temporal_patch_size)
        except ValueError as e:
            raise ValueError(f'{describe(results)}: {e}') from e
        empty = (~masks.flatten(2).any(dim=2)).all(dim=0).nonzero()[:, 0]
        if len(empty):
            raise ValueError(f'{describe(results)}: empty mask prompt of '
                             f'object(s) {empty.tolist()} on the token grid')
        return masks

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(patch_size={self.patch_size}, '
                f'merge_size={self.merge_size}, '
                f'temporal_patch_size={self.temporal_patch_size}, '
                f'box_noise={self.box_noise}, '
                f'point_sampling={self.point_sampling!r})')
