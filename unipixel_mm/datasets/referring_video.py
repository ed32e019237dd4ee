"""Referring / reasoning video segmentation: MeViS and ReVOS.

On-disk format shared by both: ``meta_expressions.json`` is
``{"videos": {vid: {"frames": [name, ...], "expressions": {qid: {"exp":
str, "obj_id": [...], "anno_id": [...]}}}}}`` and ``mask_dict.json`` maps
each ``anno_id`` (as a string) to one COCO RLE (or null) per frame; the
frames are ``{frame folder}/{vid}/{name}.jpg``. An expression's mask on a
frame is the union of its annotations' masks.
"""
import json
import os.path as osp
from typing import List, Optional

from mmengine.dataset import BaseDataset

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset


def _load_json(path: str, what: str) -> dict:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    with open(path) as f:
        return json.load(f)


@DATASETS.register_module()
class ReferringVideoDataset(BasePixelDataset):
    """Expressions over videos with per-frame RLE masks, one per sample.

    Args:
        ann_file (str): ``meta_expressions.json``, relative to ``data_root``.
        mask_file (str): ``mask_dict.json``, relative to ``data_root``.
        data_prefix (dict): ``img_path``: the frame folder.
        skip_empty (bool): Skip expressions that refer to no object (the
            reference does during training). Defaults to True.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'referring_video'

    def __init__(self,
                 ann_file: str,
                 mask_file: str,
                 data_prefix: dict = dict(img_path='JPEGImages'),
                 skip_empty: bool = True,
                 **kwargs) -> None:
        self.mask_file = mask_file
        self.skip_empty = skip_empty
        self._masks: dict = {}
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per expression, masks resolved on access."""
        mask_file = osp.join(self.data_root, self.mask_file)
        videos = _load_json(self.ann_file, 'expression file')['videos']
        self._masks = _load_json(mask_file, 'mask file')
        data_list = []
        for vid, meta in videos.items():
            for qid, exp in meta['expressions'].items():
                entry = f'{self.SOURCE} {vid} expression {qid}'
                anno_ids = [str(a) for a in exp['anno_id']]
                if not anno_ids and self.skip_empty:
                    continue
                for a in anno_ids:
                    if a not in self._masks:
                        raise ValueError(f'{entry}: anno_id {a} not in '
                                         f'{mask_file}')
                    if len(self._masks[a]) != len(meta['frames']):
                        raise ValueError(
                            f'{entry}: anno_id {a} has '
                            f'{len(self._masks[a])} masks in {mask_file}, '
                            f"the video {len(meta['frames'])} frames")
                span = self.frame_span(vid, anno_ids, len(meta['frames']))
                if span is None:
                    continue
                start, end = span
                data_list.append(
                    dict(
                        frame_paths=[
                            osp.join(self.data_prefix['img_path'], vid,
                                     f'{name}.jpg')
                            for name in meta['frames'][start:end]
                        ],
                        anno_ids=anno_ids,
                        frame_range=(start, end),
                        turns=[self.make_turn(exp['exp'].strip())],
                        entry=entry,
                        source=self.SOURCE))
        return data_list

    def frame_span(self, vid: str, anno_ids: List[str],
                   num_frames: int) -> Optional[tuple]:
        """The frames a sample uses, ``(start, end)``; None skips it.

        Args:
            vid (str): Video id.
            anno_ids (list[str]): The expression's annotations.
            num_frames (int): Frames of the video.

        Returns:
            tuple[int, int] | None: All frames by default.
        """
        return 0, num_frames

    def make_turn(self, expression: str) -> dict:
        """The turn of an expression: a ``'query'`` by default."""
        return dict(type='query', query=expression, obj_inds=[0])

    def get_data_info(self, idx: int) -> dict:
        """Attaches the expression's masks and formats the conversation."""
        info = BaseDataset.get_data_info(self, idx)
        start, end = info.pop('frame_range')
        masks = [[self._masks[a][t] for a in info['anno_ids']]
                 for t in range(start, end)]
        info['objects'] = [dict(masks=masks)]
        return self.format_sample(info)


@DATASETS.register_module()
class MeViSDataset(ReferringVideoDataset):
    """MeViS: motion expressions (``{split}/meta_expressions.json``)."""

    SOURCE = 'mevis'


@DATASETS.register_module()
class ReVOSDataset(ReferringVideoDataset):
    """ReVOS: referring and reasoning expressions.

    Expressions ending in ``?`` are reasoning questions (``'sentence'``
    turns). During training, TAO videos are cut to the frames between the
    first and the last annotated one and skipped when fewer than two remain,
    as the reference does.
    """

    SOURCE = 'revos'

    def __init__(self,
                 ann_file: str = 'meta_expressions_train_.json',
                 mask_file: str = 'mask_dict.json',
                 data_prefix: dict = dict(img_path=''),
                 **kwargs) -> None:
        super().__init__(
            ann_file=ann_file,
            mask_file=mask_file,
            data_prefix=data_prefix,
            **kwargs)

    def frame_span(self, vid: str, anno_ids: List[str],
                   num_frames: int) -> Optional[tuple]:
        """Crops training TAO videos to their annotated frames."""
        if self.test_mode or vid.split('/')[0] != 'TAO':
            return 0, num_frames
        present = [
            t for t in range(num_frames)
            if any(self._masks[a][t] is not None for a in anno_ids)
        ]
        if not present or present[-1] + 1 - present[0] < 2:
            return None
        return present[0], present[-1] + 1

    def make_turn(self, expression: str) -> dict:
        """A reasoning question (``?``) is a ``'sentence'`` turn."""
        kind = 'sentence' if expression.endswith('?') else 'query'
        return dict(type=kind, query=expression, obj_inds=[0])
