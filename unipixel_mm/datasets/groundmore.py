"""GroundMoRe: motion-grounded video reasoning, questions answered with a
mask.

On-disk format: ``trainval_v2.json`` / ``test_v2.json`` is ``{"videos":
{vid: {"questions": {qid: {"question", "answer", "q_type", "obj_id":
"1, 2"}}}}}``; ``annotations/{vid}/images/{n}.jpg`` are the frames and
``annotations/{vid}/masks/{n}.png`` index masks of some of them, pixel
value = object id. A question's mask is the union of its objects.
"""
import os.path as osp
from typing import List

import numpy as np
from mmengine.logging import print_log

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset
from .transforms.loading import list_frame_files
from .utils import load_annotation


def _stem(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


@DATASETS.register_module()
class GroundMoReDataset(BasePixelDataset):
    """GroundMoRe questions, one sample each (``'question'`` turns: the
    answer is followed by ``<|seg|>``).

    Training uses only the frames that have a mask; evaluation
    (``test_mode``) takes ``num_test_frames`` frames spread uniformly over
    the video, those without a mask file counting as empty. Videos without
    an annotation folder are skipped (logged), as the reference skips them.

    Args:
        data_root (str): Data root.
        ann_file (str): ``trainval_v2.json`` or ``test_v2.json``.
        data_prefix (dict): ``img_path``: the ``annotations`` folder.
        num_test_frames (int): Frames of an evaluation sample.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'groundmore'

    def __init__(self,
                 data_root: str = 'data/groundmore',
                 ann_file: str = 'trainval_v2.json',
                 data_prefix: dict = dict(img_path='annotations'),
                 num_test_frames: int = 20,
                 **kwargs) -> None:
        self.num_test_frames = num_test_frames
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per question."""
        videos = load_annotation(self.ann_file, f'{self.SOURCE} file')
        data_list, missing = [], []
        for vid, meta in videos['videos'].items():
            folder = osp.join(self.data_prefix['img_path'], vid)
            if not osp.isdir(folder):
                missing.append(vid)
                continue
            frames, masks = self._frames_and_masks(folder)
            if not frames:
                continue
            for qid, q in meta['questions'].items():
                entry = f'{self.SOURCE} {vid} question {qid}'
                try:
                    ids = [int(o) for o in str(q['obj_id']).split(',')]
                except ValueError as e:
                    raise ValueError(f"{entry}: bad obj_id {q['obj_id']!r} "
                                     f'in {self.ann_file}') from e
                query = q['question'].strip()
                query = query if query.endswith('?') else query + '?'
                data_list.append(
                    dict(
                        frame_paths=frames,
                        objects=[
                            dict(masks=[
                                None if m is None else dict(path=m, ids=ids)
                                for m in masks
                            ])
                        ],
                        turns=[
                            dict(
                                type='question',
                                query=query,
                                answer=q['answer'],
                                obj_inds=[0])
                        ],
                        q_type=q.get('q_type'),
                        entry=entry,
                        source=self.SOURCE))
        if missing:
            print_log(
                f'{self.SOURCE}: {len(missing)} videos of {self.ann_file} '
                f'have no annotation folder, skipped (e.g. {missing[0]})',
                logger='current')
        return data_list

    def _frames_and_masks(self, folder: str):
        """The frame files of a video and their mask files (or None)."""
        mask_dir = osp.join(folder, 'masks')
        mask_files = list_frame_files(mask_dir) if osp.isdir(mask_dir) \
            else []
        if not self.test_mode:
            frames = [
                osp.join(folder, 'images', f'{_stem(m)}.jpg')
                for m in mask_files
            ]
            return frames, mask_files
        frames = list_frame_files(osp.join(folder, 'images'))
        if not frames:
            return [], []
        keep = np.linspace(0, len(frames) - 1, self.num_test_frames,
                           dtype=int)
        frames = [frames[i] for i in keep]
        by_stem = {_stem(m): m for m in mask_files}
        return frames, [by_stem.get(_stem(f)) for f in frames]
