"""GroundMoRe: motion-grounded video reasoning, questions answered with a
mask.

On-disk format: ``trainval_v2.json`` / ``test_v2.json`` is ``{"videos":
{vid: {"questions": {qid: {"question", "answer", "q_type", "obj_id":
"1, 2", "action_start": "MM:SS", "action_end": "MM:SS"}}}}}``;
``annotations/{vid}/images/{n}.jpg`` are the frames (6 per second of the
clip) and ``annotations/{vid}/masks/{n}.png`` index masks of some of them,
pixel value = object id. A question's mask is the union of its objects. A
video id ends in the clip's start and end, ``..._MMSS_MMSS``.

The test split scores a question's mask only inside its action, as the
reference's ``eval_groundmore.py`` does: frame ``n`` of the clip keeps its
mask when ``(action_start - clip start) * 6 <= n <= (action_end - clip
start) * 6 - 1`` (seconds) and is empty otherwise.
"""
import os.path as osp
import re
from typing import List, Optional, Tuple

import numpy as np
from mmengine.logging import print_log

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset
from .transforms.loading import list_frame_files
from .utils import load_annotation


def _stem(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


def time_to_seconds(time: str) -> int:
    """``'[HH:]MM:SS'`` -> seconds.

    Args:
        time (str): E.g. ``'01:05'`` or ``'0:01:05'``.

    Returns:
        int: E.g. 65.
    """
    parts = [int(p) for p in str(time).split(':')]
    if not 1 <= len(parts) <= 3:
        raise ValueError(f'bad time {time!r}, expected [HH:]MM:SS')
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def action_window(video: str, start: str, end: str,
                  fps: int = 6) -> Tuple[int, int]:
    """The clip frames of an action, as the reference's evaluation has it.

    Args:
        video (str): The video id, ending in ``_MMSS_MMSS`` (the clip's
            start and end in the source video).
        start (str): ``action_start`` (``'MM:SS'`` in the source video).
        end (str): ``action_end``.
        fps (int): Frames per second of the clip. Defaults to 6.

    Returns:
        tuple[int, int]: The first and the last (inclusive) clip frame of
        the action, e.g. ``('v_0010_0020', '00:12', '00:14')`` -> (12, 23).
    """
    match = re.search(r'(\d{2})(\d{2})_\d{4}$', video)
    if match is None:
        raise ValueError(f'video id {video!r} does not end in the clip\'s '
                         'start and end (_MMSS_MMSS)')
    clip_start = int(match.group(1)) * 60 + int(match.group(2))
    return ((time_to_seconds(start) - clip_start) * fps,
            (time_to_seconds(end) - clip_start) * fps - 1)


@DATASETS.register_module()
class GroundMoReDataset(BasePixelDataset):
    """GroundMoRe questions, one sample each (``'question'`` turns: the
    answer is followed by ``<|seg|>``).

    Training uses only the frames that have a mask; evaluation
    (``test_mode``) takes ``num_test_frames`` frames spread uniformly over
    the video, those without a mask file counting as empty, and with
    ``action_window`` the masks of frames outside the question's action are
    empty too (see the module docstring). Videos without an annotation
    folder are skipped (logged), as the reference skips them.

    Args:
        data_root (str): Data root.
        ann_file (str): ``trainval_v2.json`` or ``test_v2.json``.
        data_prefix (dict): ``img_path``: the ``annotations`` folder.
        num_test_frames (int): Frames of an evaluation sample.
        action_window (bool): In ``test_mode``, score the masks inside each
            question's ``[action_start, action_end]`` only (the reference's
            ``eval_groundmore.py``); False scores every frame's mask.
            Defaults to True.
        clip_fps (int): Frames per second of the clips. Defaults to 6.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'groundmore'

    def __init__(self,
                 data_root: str = 'data/groundmore',
                 ann_file: str = 'trainval_v2.json',
                 data_prefix: dict = dict(img_path='annotations'),
                 num_test_frames: int = 20,
                 action_window: bool = True,
                 clip_fps: int = 6,
                 **kwargs) -> None:
        self.num_test_frames = num_test_frames
        self.action_window = action_window
        self.clip_fps = clip_fps
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
            frames, masks, inds = self._frames_and_masks(folder)
            if not frames:
                continue
            for qid, q in meta['questions'].items():
                entry = f'{self.SOURCE} {vid} question {qid}'
                try:
                    ids = [int(o) for o in str(q['obj_id']).split(',')]
                except ValueError as e:
                    raise ValueError(f"{entry}: bad obj_id {q['obj_id']!r} "
                                     f'in {self.ann_file}') from e
                window = self._window(vid, q, entry)
                scored = [
                    m if window is None or window[0] <= n <= window[1] else
                    None for m, n in zip(masks, inds)
                ]
                query = q['question'].strip()
                query = query if query.endswith('?') else query + '?'
                data_list.append(
                    dict(
                        frame_paths=frames,
                        frame_names=[_stem(f) for f in frames],
                        objects=[
                            dict(masks=[
                                None if m is None else dict(path=m, ids=ids)
                                for m in scored
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

    def _window(self, vid: str, question: dict,
                entry: str) -> Optional[Tuple[int, int]]:
        """The clip frames of the question's action; None for all."""
        if not (self.test_mode and self.action_window):
            return None
        missing = [
            k for k in ('action_start', 'action_end') if k not in question
        ]
        if missing:
            raise KeyError(f'{entry}: no {missing} in {self.ann_file} (the '
                           'action window of the evaluation; '
                           'action_window=False scores every frame)')
        try:
            return action_window(vid, question['action_start'],
                                 question['action_end'], self.clip_fps)
        except ValueError as e:
            raise ValueError(f'{entry} in {self.ann_file}: {e}') from e

    def _frames_and_masks(self, folder: str):
        """The frame files of a video, their mask files (or None) and their
        indices among the video's frames."""
        mask_dir = osp.join(folder, 'masks')
        mask_files = list_frame_files(mask_dir) if osp.isdir(mask_dir) \
            else []
        if not self.test_mode:
            frames = [
                osp.join(folder, 'images', f'{_stem(m)}.jpg')
                for m in mask_files
            ]
            return frames, mask_files, list(range(len(frames)))
        frames = list_frame_files(osp.join(folder, 'images'))
        if not frames:
            return [], [], []
        keep = np.linspace(0, len(frames) - 1, self.num_test_frames,
                           dtype=int)
        frames = [frames[i] for i in keep]
        by_stem = {_stem(m): m for m in mask_files}
        return frames, [by_stem.get(_stem(f)) for f in frames], keep.tolist()
