"""Formatting transforms: the chat sequence with its labels, and packing."""
from typing import Optional, Sequence, Union

import torch
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from unipixel_mm.registry import TRANSFORMS
from unipixel_mm.structures import PixelDataSample
from unipixel_mm.text import (MEM_TOKEN, REF_TOKEN, SEG_TOKEN,
                              ConversationFormatter, assistant_spans,
                              region_prefix)
from .loading import describe, text_only

# names of this module before the formatter moved to unipixel_mm.text
__all__ = [
    'FormatConversation', 'PackUniPixelInputs', 'assistant_spans',
    'region_prefix'
]


@TRANSFORMS.register_module()
class FormatConversation(BaseTransform):
    """Renders the conversation with the chat template and tokenises it
    (with :class:`~unipixel_mm.text.ConversationFormatter`).

    The first user turn gets the video and, when the objects come with mask
    prompts, the :func:`region_prefix` before its question; every later
    turn is text only, and so is every turn of a text-only sample (no
    video, see :func:`~.loading.text_only`). The ``<|video_pad|>``
    placeholder is expanded to ``prod(video_grid_thw) / merge_size ** 2``
    tokens (for Qwen3-VL, frame by frame after time stamps, see
    :func:`~unipixel_mm.text.expand_video_placeholder`). Labels are
    ``IGNORE_INDEX`` (-100) except on the assistant answers and the
    ``<|im_end|>`` closing each (the reference's ChatML masking). When the
    last turn has no answer (evaluation) the generation prompt is appended
    instead and all labels are -100, followed by the last turn's
    ``answer_prefix`` if it has one (e.g. ``'Best Option: ('``).

    The special tokens are checked against the objects: one ``<|ref|>`` per
    object with a point / box prompt, one ``<|seg|>`` per target object
    (``seg_targets``), and one ``<|mem|>`` per (temporal group, object) that
    the mask prompt covers; a mismatch is a corrupt annotation and raises a
    ``ValueError`` naming the entry.

    Required keys: ``turns`` (list of dict with ``question`` and ``answer``),
    ``objects`` (with ``oid`` for mask prompts), ``prompt_type``,
    ``seg_targets``; ``video_grid_thw`` and ``frames`` for the video (none
    in a text-only sample); ``prompt_masks`` for mask prompts.

    Added keys:
        - ``input_ids`` (Tensor): (L,) long.
        - ``labels`` (Tensor): (L,) long.
        - ``text`` (str): The rendered text before the video expansion.

    Args:
        processor (str | dict): Model directory or processor builder config.
        max_length (int): Longer samples are skipped (the pipeline returns
            None), as the reference's ``max_num_tokens``; -1 for no limit.
        strip (bool): Strip the whitespace after the last answer's
            ``<|im_end|>`` (the reference's training data, ``hybrid.py``);
            False keeps the template's closing newline, as the reference's
            ``infer_pixelqa.py`` gives its answered first turn. Defaults to
            True.
    """

    def __init__(self,
                 processor: Union[str, dict],
                 max_length: int = -1,
                 strip: bool = True) -> None:
        self.formatter = ConversationFormatter(processor)
        self.max_length = max_length
        self.strip = strip

    @property
    def processor(self):
        """The ``transformers`` processor."""
        return self.formatter.processor

    def transform(self, results: dict) -> Optional[dict]:
        """Tokenises; see the class docstring for the keys."""
        # refuses a sample without a video that needs one
        text_only(results, ('video_grid_thw', ))
        prefix = ''
        if results.get('prompt_masks') is not None:
            oids = [
                str(obj.get('oid', o))
                for o, obj in enumerate(results['objects'])
            ]
            prefix = region_prefix(
                len(results['frames']), results['prompt_masks'], oids)
        conv = self.formatter(
            results['turns'],
            results.get('video_grid_thw'),
            prefix,
            describe(results),
            frame_inds=results.get('llm_frame_inds'),
            second_per_grid_ts=results.get('second_per_grid_ts'),
            strip=self.strip)
        if 0 < self.max_length < len(conv.input_ids):
            print_log(
                f'{describe(results)}: skipped, {len(conv.input_ids)} '
                f'tokens > {self.max_length}',
                logger='current')
            return None
        self._check_tokens(conv.input_ids, results, conv.generate)
        results['input_ids'] = conv.input_ids
        results['labels'] = conv.labels
        results['text'] = conv.text
        return results

    def _check_tokens(self, input_ids: torch.Tensor, results: dict,
                      generate: bool) -> None:
        num_objs = len(results.get('objects', []))
        prompt_type = results.get('prompt_type')
        expected = {
            REF_TOKEN:
            num_objs if prompt_type in ('point', 'box', 'mix') else 0,
            MEM_TOKEN: 0,
        }
        if prompt_type == 'mask':
            present = results['prompt_masks'].flatten(2).any(dim=2)
            expected[MEM_TOKEN] = int(present.sum())
        if not generate:
            expected[SEG_TOKEN] = num_objs if results.get('seg_targets') else 0
        counts = self.formatter.count_special_tokens(input_ids)
        for token, num in expected.items():
            found = counts[token]
            if found != num:
                raise ValueError(
                    f'{describe(results)}: {found} {token} token(s) in the '
                    f'text, {num} expected for {num_objs} object(s) with '
                    f'prompt_type={prompt_type!r}, '
                    f"seg_targets={results.get('seg_targets')}")

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'processor={self.formatter.processor_cfg!r}, '
                f'max_length={self.max_length}, strip={self.strip})')


@TRANSFORMS.register_module()
class PackUniPixelInputs(BaseTransform):
    """Packs a sample into model inputs and a :class:`PixelDataSample`.

    Returns ``dict(inputs=..., data_samples=...)`` where ``inputs`` holds

    - ``input_ids`` (L,) long and ``labels`` (L,) long;
    - ``pixel_values_videos`` (N, 1176) float, ``video_grid_thw`` (3,) long
      with N = prod(video_grid_thw), ``second_per_grid_ts`` (float);
    - ``frames`` (T, 3, S, S) float, the normalised SAM2 frames;

    (a text-only sample, see :func:`~.loading.text_only`, has
    ``input_ids`` and ``labels`` only) and the data sample holds every
    prompt and target field, empty (O = 0) when the sample has none so that
    batches collate uniformly (T = grid_t = grid_h = grid_w = 0 without a
    video):

    - ``prompt_coords`` / ``prompt_labels``: lists of (P, 2) float /
      (P,) long; ``prompt_frames``: (O,) long;
    - ``prompt_masks``: (grid_t, O, grid_h / 2, grid_w / 2) bool;
    - ``gt_masks``: (T, O, S, S) bool and ``gt_obj_to_frame``: (T, O, 2)
      int, [frame, 0] pairs; the objects are the ``<|seg|>`` targets
      (empty unless ``seg_targets``);
    - with ``keep_ori_masks``: ``gt_masks_ori`` (T, O, H, W) bool at the
      original frame size, and ``gt_foreground_masks`` (T, H, W) bool when
      the sample has ``foreground_masks`` (ReVOS, for the robustness R),
      ``gt_ignore_masks`` (T, H, W) bool when it has ``ignore_masks``
      (ReasonSeg's pixels left out of the scores);
    - ``gt_answer`` / ``options`` when the sample has them (evaluation);
    - ``memory_turn``: the follow-up question of a PixelQA sample, see
      :class:`~unipixel_mm.datasets.BasePixelDataset`.

    Metainfo: ``frame_size`` (H, W) ((0, 0) without a video), ``sam2_size``
    and ``meta_keys``.

    Args:
        meta_keys (Sequence[str]): Keys copied into the metainfo when
            present.
        keep_ori_masks (bool): Also store ``gt_masks_ori`` (and
            ``gt_foreground_masks``). Defaults to False.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('sample_idx', 'entry', 'source',
                                             'task', 'img_path', 'video_path',
                                             'frame_inds', 'qwen_size',
                                             'video_id', 'exp_id',
                                             'frame_names', 'split',
                                             'question_type', 'q_type'),
                 keep_ori_masks: bool = False) -> None:
        self.meta_keys = tuple(meta_keys)
        self.keep_ori_masks = keep_ori_masks

    def transform(self, results: dict) -> dict:
        """Packs; see the class docstring for the layout."""
        text = text_only(results, ('sam2_frames', 'pixel_values_videos'))
        size = results['sam2_size']
        inputs = dict(input_ids=results['input_ids'], labels=results['labels'])
        grid_t = grid_h = grid_w = 0
        if not text:
            grid = results['video_grid_thw']
            grid_t, grid_h, grid_w = grid.tolist()
            inputs.update(
                pixel_values_videos=results['pixel_values_videos'],
                video_grid_thw=grid,
                second_per_grid_ts=float(results['second_per_grid_ts']),
                frames=results['sam2_frames'])
        num_frames = len(inputs.get('frames', ()))
        frame_size = tuple(results.get('frame_size', (0, 0)))

        sample = PixelDataSample()
        sample.set_metainfo(
            dict(
                frame_size=frame_size,
                sam2_size=size,
                **{k: results[k]
                   for k in self.meta_keys if k in results}))
        sample.prompt_coords = results.get('prompt_coords', [])
        sample.prompt_labels = results.get('prompt_labels', [])
        sample.prompt_frames = results.get('prompt_frames',
                                           torch.zeros(0, dtype=torch.long))
        sample.prompt_masks = results.get(
            'prompt_masks',
            torch.zeros(grid_t, 0, grid_h // 2, grid_w // 2, dtype=torch.bool))
        seg = results.get('seg_targets', False)
        gt_masks = results.get(
            'sam2_masks', torch.zeros(0, 0, size, size, dtype=torch.bool))
        if not seg:
            gt_masks = gt_masks.new_zeros(num_frames, 0, size, size)
        sample.gt_masks = gt_masks
        num_objs = gt_masks.shape[1]
        steps = torch.arange(num_frames, dtype=torch.int32)
        sample.gt_obj_to_frame = torch.stack(
            [steps[:, None].expand(-1, num_objs),
             torch.zeros(num_frames, num_objs, dtype=torch.int32)],
            dim=-1)
        if self.keep_ori_masks:
            ori = torch.from_numpy(results['obj_masks']) \
                if 'obj_masks' in results else torch.zeros(
                    0, 0, *frame_size, dtype=torch.bool)
            sample.set_field(ori if seg else ori[:, :0], 'gt_masks_ori')
            if results.get('foreground_masks') is not None:
                sample.set_field(
                    torch.from_numpy(results['foreground_masks']),
                    'gt_foreground_masks')
            if results.get('ignore_masks') is not None:
                sample.set_field(
                    torch.from_numpy(results['ignore_masks']),
                    'gt_ignore_masks')
        for key in ('gt_answer', 'options', 'memory_turn'):
            if results.get(key) is not None:
                sample.set_field(results[key], key)
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(meta_keys={self.meta_keys}, '
                f'keep_ori_masks={self.keep_ori_masks})')
