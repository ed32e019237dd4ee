"""Referring / reasoning video segmentation in the ``meta_expressions``
format: MeViS, ReVOS, LV-VIS, Ref-YouTube-VOS and Ref-DAVIS17.

On-disk format: ``meta_expressions.json`` is ``{"videos": {vid: {"frames":
[name, ...], "expressions": {qid: {"exp": str, "obj_id": ..., "anno_id":
[...]}}}}}`` and the frames are ``{frame folder}/{vid}/{name}.jpg``. The
masks come in one of two layouts:

- MeViS, ReVOS, LV-VIS: ``mask_dict.json`` maps each ``anno_id`` (as a
  string) to one COCO RLE (or null) per frame; an expression's mask on a
  frame is the union of its annotations' masks;
- Ref-YouTube-VOS, Ref-DAVIS17: ``mask_dict.pkl`` maps the running index of
  each expression in the file (``"0"``, ``"1"``, ...) to its RLE (or None)
  per frame.

Every sample carries ``video_id``, ``exp_id`` and ``frame_names`` (the
frame file stems), which the submission writer and the metrics read.

ReVOS also releases ``mask_dict_foreground.json``, ``{vid: {"masks_rle":
[RLE or list of RLEs per frame], ...}}``: the annotated objects of each
video, whose channels the official script sums, for its robustness R.
"""
import logging
import os.path as osp
from typing import List, Optional

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset
from .utils import load_annotation


@DATASETS.register_module()
class ReferringVideoDataset(BasePixelDataset):
    """Expressions over videos with per-frame RLE masks, one per sample.

    Args:
        ann_file (str): ``meta_expressions.json``, relative to ``data_root``.
        mask_file (str, optional): ``mask_dict.json`` (or ``.pkl``),
            relative to ``data_root``; None for splits without masks (MeViS
            valid, Ref-YouTube-VOS valid), whose samples then keep every
            expression and have empty targets.
        data_prefix (dict): ``img_path``: the frame folder.
        skip_empty (bool): Skip expressions that refer to no object (the
            reference does during training). Defaults to True.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'referring_video'

    def __init__(self,
                 ann_file: str,
                 mask_file: Optional[str],
                 data_prefix: dict = dict(img_path='JPEGImages'),
                 skip_empty: bool = True,
                 **kwargs) -> None:
        self.mask_file = mask_file
        self.skip_empty = skip_empty
        self._masks: dict = {}
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per expression, masks resolved on access."""
        videos = self._videos()
        has_masks = self.mask_file is not None
        if has_masks:
            mask_file = osp.join(self.data_root, self.mask_file)
            self._masks = load_annotation(mask_file, 'mask file')
            self.check_masks(videos, mask_file)
        data_list, index = [], -1
        for vid, meta in videos.items():
            for qid, exp in meta['expressions'].items():
                index += 1
                entry = f'{self.SOURCE} {vid} expression {qid}'
                try:
                    text = exp['exp'].strip()
                    anno_ids = self.expression_annos(exp, index) \
                        if has_masks else []
                except (KeyError, TypeError, AttributeError) as e:
                    # e.g. a file of another benchmark's layout
                    raise ValueError(
                        f'{self.ann_file}: {entry}: missing or malformed '
                        f'field {e} in {exp!r:.200}') from e
                if not anno_ids and self.skip_empty and has_masks:
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
                        turns=[self.make_turn(text)],
                        video_id=vid,
                        exp_id=qid,
                        frame_names=list(meta['frames'][start:end]),
                        entry=entry,
                        source=self.SOURCE,
                        **self.extra_info(exp)))
        return data_list

    def _videos(self) -> dict:
        """The ``videos`` of the expression file, each with frames and
        expressions.

        Raises:
            ValueError: naming the file, the video and the field that is
                missing or empty.
        """
        ann = load_annotation(self.ann_file, 'expression file')
        videos = ann.get('videos') if isinstance(ann, dict) else None
        if not isinstance(videos, dict):
            raise ValueError(f'{self.ann_file}: no "videos" dict')
        for vid, meta in videos.items():
            for key, kind in (('frames', list), ('expressions', dict)):
                value = meta.get(key) if isinstance(meta, dict) else None
                if not isinstance(value, kind) or not value:
                    raise ValueError(f'{self.ann_file}: video {vid} has no '
                                     f'"{key}"')
        return videos

    def extra_info(self, exp: dict) -> dict:
        """Fields of a family added to each data info; none by default.

        Args:
            exp (dict): The expression.

        Returns:
            dict: Extra data-info fields.
        """
        return {}

    def check_masks(self, videos: dict, mask_file: str) -> None:
        """Checks the mask file against the expressions; none by default.

        Args:
            videos (dict): The ``videos`` of the expression file.
            mask_file (str): The mask file, for the error message.
        """

    def expression_annos(self, exp: dict, index: int) -> List[str]:
        """The mask-file keys of an expression: its ``anno_id`` list.

        Args:
            exp (dict): The expression.
            index (int): Its running index in the expression file.

        Returns:
            list[str]: Keys of the mask file; empty for no object.
        """
        return [str(a) for a in exp['anno_id']]

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

    def frame_info(self, vid: str, start: int, end: int) -> dict:
        """Per-frame fields of a family added on access; none by default.

        Args:
            vid (str): Video id.
            start (int): First frame of the sample.
            end (int): End (exclusive) of the sample's frames.

        Returns:
            dict: Extra data-info fields.
        """
        return {}

    def get_data_info(self, idx: int) -> dict:
        """Attaches the expression's masks and formats the conversation."""
        info = BaseDataset.get_data_info(self, idx)
        start, end = info.pop('frame_range')
        masks = [[self._masks[a][t] for a in info['anno_ids']]
                 for t in range(start, end)]
        info['objects'] = [dict(masks=masks)]
        info.update(self.frame_info(info['video_id'], start, end))
        return self.format_sample(info)


@DATASETS.register_module()
class MeViSDataset(ReferringVideoDataset):
    """MeViS: motion expressions (``{split}/meta_expressions.json``)."""

    SOURCE = 'mevis'


@DATASETS.register_module()
class ReVOSDataset(ReferringVideoDataset):
    """ReVOS: referring and reasoning expressions.

    Expressions ending in ``?`` are reasoning questions (``'sentence'``
    turns). Each sample's ``split`` is ``'referring'`` or ``'reasoning'``:
    the expression's ``type_id`` (0 / 1, as in the valid split's file)
    where given, else whether it ends in ``?``; another ``type_id`` gives
    ``None``, which no reported score counts (``eval_revos.py`` averages
    type 0 and type 1 only). During training, TAO videos
    are cut to the frames between the first and the last annotated one and
    skipped when fewer than two remain, as the reference does.

    With ``foreground_file``, each sample also has ``foreground``: the
    video's foreground entry per frame, which
    :class:`~unipixel_mm.datasets.transforms.LoadObjectMasks` decodes for
    the robustness score R of
    :class:`~unipixel_mm.evaluation.metrics.VideoSegMetric`.

    Args:
        ann_file (str): The expression file, relative to ``data_root``.
            Defaults to ``'meta_expressions_train_.json'``.
        mask_file (str): The mask file. Defaults to ``'mask_dict.json'``.
        foreground_file (str, optional): ``mask_dict_foreground.json``,
            relative to ``data_root``; when None or missing (logged), the
            samples have no foreground and R is not reported. Every video
            of ``ann_file`` must be in it, with one entry per frame.
            Defaults to None.
        data_prefix (dict): ``img_path``: the frame folder.
        **kwargs: :class:`ReferringVideoDataset` arguments.
    """

    SOURCE = 'revos'

    def __init__(self,
                 ann_file: str = 'meta_expressions_train_.json',
                 mask_file: str = 'mask_dict.json',
                 foreground_file: Optional[str] = None,
                 data_prefix: dict = dict(img_path=''),
                 **kwargs) -> None:
        self.foreground_file = foreground_file
        self._foreground: Optional[dict] = None
        super().__init__(
            ann_file=ann_file,
            mask_file=mask_file,
            data_prefix=data_prefix,
            **kwargs)

    def check_masks(self, videos: dict, mask_file: str) -> None:
        """Loads the foreground masks, when there are any, and checks them
        against the videos."""
        if self.foreground_file is None:
            return
        path = osp.join(self.data_root, self.foreground_file)
        if not osp.isfile(path):
            print_log(
                f'{self.SOURCE}: no foreground masks at {path}, the '
                'robustness R is not reported',
                logger='current',
                level=logging.WARNING)
            return
        foreground = load_annotation(path, 'foreground mask file')
        self._foreground = {}
        for vid, meta in videos.items():
            entry = foreground.get(vid)
            if not isinstance(entry, dict) or 'masks_rle' not in entry:
                raise ValueError(f'{self.SOURCE} {vid}: no "masks_rle" '
                                 f'foreground masks in {path}')
            if len(entry['masks_rle']) != len(meta['frames']):
                raise ValueError(
                    f"{self.SOURCE} {vid}: {len(entry['masks_rle'])} "
                    f'foreground masks in {path}, the video '
                    f"{len(meta['frames'])} frames")
            self._foreground[vid] = entry['masks_rle']

    def frame_info(self, vid: str, start: int, end: int) -> dict:
        """The foreground entries of the sample's frames, if loaded."""
        if self._foreground is None:
            return {}
        return dict(foreground=self._foreground[vid][start:end])

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

    def extra_info(self, exp: dict) -> dict:
        """The ``split`` of the expression, for the per-split scores."""
        if 'type_id' not in exp:
            reasoning = exp['exp'].strip().endswith('?')
            return dict(split='reasoning' if reasoning else 'referring')
        # as eval_revos.py: another type_id is in neither split nor overall
        return dict(split={0: 'referring', 1: 'reasoning'}.get(exp['type_id']))

    def make_turn(self, expression: str) -> dict:
        """A reasoning question (``?``) is a ``'sentence'`` turn."""
        kind = 'sentence' if expression.endswith('?') else 'query'
        return dict(type=kind, query=expression, obj_inds=[0])


@DATASETS.register_module()
class LVVISDataset(ReferringVideoDataset):
    """LV-VIS category names as referring expressions (``_`` read as a
    space), with the MeViS mask layout."""

    SOURCE = 'lvvis'

    def __init__(self,
                 data_root: str = 'data/lvvis',
                 ann_file: str = 'meta_expressions.json',
                 mask_file: str = 'mask_dict.json',
                 data_prefix: dict = dict(img_path='train/JPEGImages'),
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            mask_file=mask_file,
            data_prefix=data_prefix,
            **kwargs)

    def make_turn(self, expression: str) -> dict:
        """A class name such as ``'traffic_light'`` as a ``'query'``."""
        return super().make_turn(expression.replace('_', ' ').strip())


@DATASETS.register_module()
class RefYouTubeVOSDataset(ReferringVideoDataset):
    """Ref-YouTube-VOS: one mask per frame per expression, keyed by the
    expression's running index in ``mask_dict.pkl``."""

    SOURCE = 'ref_youtube_vos'

    def __init__(self,
                 data_root: str = 'data/ref_youtube_vos',
                 ann_file: str = 'meta_expressions/train/'
                 'meta_expressions.json',
                 mask_file: str = 'mask_dict.pkl',
                 data_prefix: dict = dict(img_path='train/JPEGImages'),
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            mask_file=mask_file,
            data_prefix=data_prefix,
            **kwargs)

    def check_masks(self, videos: dict, mask_file: str) -> None:
        """The mask file has one entry per expression, as the reference
        asserts."""
        num = sum(len(meta['expressions']) for meta in videos.values())
        if len(self._masks) != num:
            raise ValueError(f'{self.SOURCE}: {mask_file} has '
                             f'{len(self._masks)} entries, {self.ann_file} '
                             f'{num} expressions')

    def expression_annos(self, exp: dict, index: int) -> List[str]:
        """The expression's own entry, its running index."""
        return [str(index)]


@DATASETS.register_module()
class RefDAVIS17Dataset(RefYouTubeVOSDataset):
    """Ref-DAVIS17 in the Ref-YouTube-VOS layout; a few expressions have no
    mask on any frame and are kept (logged when drawn), as the reference
    keeps them.

    The reference's evaluation (``eval_seg.py``, ``get_meta_exp``) numbers
    the expressions of ``mask_dict.pkl`` over the *sorted* video names and
    the sorted (string) expression ids, while its training reads them in
    file order; ``test_mode`` follows the evaluation unless
    ``sorted_eval_index=False``.

    Args:
        sorted_eval_index (bool): In ``test_mode``, key the masks by the
            sorted order. Defaults to True.
        **kwargs: :class:`RefYouTubeVOSDataset` arguments.
    """

    SOURCE = 'ref_davis17'

    def __init__(self,
                 data_root: str = 'data/ref_davis17',
                 ann_file: str = 'meta_expressions/train/'
                 'meta_expressions.json',
                 mask_file: str = 'train/mask_dict.pkl',
                 data_prefix: dict = dict(img_path='DAVIS/JPEGImages/480p'),
                 sorted_eval_index: bool = True,
                 **kwargs) -> None:
        self.sorted_eval_index = sorted_eval_index
        self._eval_index: dict = {}
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            mask_file=mask_file,
            data_prefix=data_prefix,
            **kwargs)

    def check_masks(self, videos: dict, mask_file: str) -> None:
        """Checks the entry count; maps file-order to sorted-order indices
        for the evaluation."""
        super().check_masks(videos, mask_file)
        if not (self.test_mode and self.sorted_eval_index):
            self._eval_index = {}
            return
        ranked = [(v, q) for v in sorted(videos)
                  for q in sorted(videos[v]['expressions'])]
        rank = {key: i for i, key in enumerate(ranked)}
        in_file = [(v, q) for v, meta in videos.items()
                   for q in meta['expressions']]
        self._eval_index = {i: rank[key] for i, key in enumerate(in_file)}

    def expression_annos(self, exp: dict, index: int) -> List[str]:
        """The expression's entry: its sorted-order index in evaluation."""
        return [str(self._eval_index.get(index, index))]
