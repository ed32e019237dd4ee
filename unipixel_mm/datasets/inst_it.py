"""Inst-IT: instance-level captions of images and QA about video instances.

On-disk format: ``inst_it_dataset_image_51k_w_mask.json`` is a list of
``dict(image_id, image_path='.../{name}.jpg', instance_level_caption={oid:
dict(short, long)}, segmentations={oid: dict(mask=RLE)})``;
``inst_it_dataset_video_21k_w_mask.json`` a list of ``dict(video_id,
video_path='.../{folder}', question_answer_pairs=[dict(question, answer)],
segmentations={frame file name: {oid: dict(mask=RLE)}})`` whose frames are
the images of the folder. Both paths lose their first component and are
joined with the image / frame root. Questions name instances ``[3]`` and
frames ``<2>`` (both from 1).
"""
import os.path as osp
import re
from typing import List

import numpy as np

from unipixel_mm.registry import DATASETS
from unipixel_mm.text import REF_TOKEN, SEG_TOKEN
from .base_pixel_dataset import BasePixelDataset, count_words
from .transforms.loading import list_frame_files
from .utils import load_annotation

_INSTANCE = re.compile(r'\[\d+\]')


def fix_ids(text: str) -> str:
    """The reference's fixes of Inst-IT ids: ``<0>`` -> ``<1>``, ``[05]``
    -> ``[5]``."""
    text = text.replace('<0>', '<1>')
    for j in range(1, 10):
        text = text.replace(f'[0{j}]', f'[{j}]')
    return text


def mentioned(*texts: str) -> List[str]:
    """The instance ids ``[n]`` of texts in order of first mention."""
    return list(dict.fromkeys(m[1:-1] for t in texts
                              for m in _INSTANCE.findall(t)))


def _tail(path: str) -> str:
    return path.split('/', 1)[1]


@DATASETS.register_module()
class InstITImageDataset(BasePixelDataset):
    """Inst-IT image instances, one short caption each (the reference's
    ``inst_it_image_short_caption_raw_ref``: a point / box prompt and a
    ``'short_caption'`` turn).

    Args:
        data_root (str): Data root.
        ann_file (str): The image JSON.
        data_prefix (dict): ``img_path``: the image root.
        caption (str): ``'short'`` or ``'long'``.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    TASK = 'ref'
    SOURCE = 'inst_it_image'

    def __init__(self,
                 data_root: str = 'data/inst_it/Inst-IT-Dataset',
                 ann_file: str = 'inst_it_dataset_image_51k_w_mask.json',
                 data_prefix: dict = dict(img_path='images_raw'),
                 caption: str = 'short',
                 **kwargs) -> None:
        self.caption = caption
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per (image, instance)."""
        data_list = []
        for raw in load_annotation(self.ann_file, 'Inst-IT image file'):
            vid = raw['image_id']
            img_path = osp.join(self.data_prefix['img_path'],
                                _tail(raw['image_path']))
            for oid, caption in raw['instance_level_caption'].items():
                entry = f'{self.SOURCE} {vid} instance {oid}'
                if oid not in raw['segmentations']:
                    raise ValueError(f'{entry}: no mask in {self.ann_file}')
                data_list.append(
                    dict(
                        img_path=img_path,
                        objects=[
                            dict(
                                masks=[raw['segmentations'][oid]['mask']],
                                oid=oid)
                        ],
                        turns=[
                            dict(
                                type='short_caption',
                                answer=caption[self.caption],
                                obj_inds=[0])
                        ],
                        num_words=count_words(caption[self.caption]),
                        entry=entry,
                        source=self.SOURCE))
        return data_list


@DATASETS.register_module()
class InstITVideoDataset(BasePixelDataset):
    """Inst-IT video QA about instances, one sample per question.

    - ``region`` (``inst_it_video_qa_raw``): the instances a QA mentions
      are given by mask prompts; videos with more than ``max_frames``
      frames or ``max_objects`` instances (over all their QA) are skipped.
      Use it with a ``SingleFramePrompts`` step, as the reference gives half
      of these samples a prompt on one frame.
    - ``mem`` (``inst_it_video_qa_raw_mem``): the answer is appended as an
      option, each instance's first mention is followed by ``<|ref|>`` and
      the answer segments them by id; QA with no or more than
      ``max_objects`` instances are skipped.

    Instances are listed in the order of their first mention (the reference
    takes the order of a set, which may differ from the text).

    Args:
        data_root (str): Data root.
        ann_file (str): The video JSON.
        data_prefix (dict): ``img_path``: the frame-folder root.
        task (str): ``'region'`` or ``'mem'``.
        max_frames (int): Longer videos are skipped (10 for ``region``, 8
            for ``mem`` in the reference).
        max_objects (int): See above. Defaults to 5.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'inst_it_video'

    def __init__(self,
                 data_root: str = 'data/inst_it/Inst-IT-Dataset',
                 ann_file: str = 'inst_it_dataset_video_21k_w_mask.json',
                 data_prefix: dict = dict(img_path='videos_raw'),
                 task: str = 'region',
                 max_frames: int = 10,
                 max_objects: int = 5,
                 **kwargs) -> None:
        if task not in ('region', 'mem'):
            raise ValueError(f'Inst-IT video has no {task!r} form')
        self.max_frames = max_frames
        self.max_objects = max_objects
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            task=task,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per kept question."""
        data_list = []
        # the option letters of the mem form, drawn once as the reference
        rng = np.random.default_rng(self.seed)
        for raw in load_annotation(self.ann_file, 'Inst-IT video file'):
            folder = osp.join(self.data_prefix['img_path'],
                              _tail(raw['video_path']))
            if not osp.isdir(folder):
                raise FileNotFoundError(
                    f"{self.SOURCE} {raw['video_id']}: frame folder not "
                    f'found: {folder}')
            frames = list_frame_files(folder)
            if len(frames) > self.max_frames:
                continue
            if self.task == 'region':
                data_list += self._region(raw, frames)
            else:
                data_list += self._mem(raw, frames, rng)
        return data_list

    def _masks(self, raw: dict, frames: List[str], oid: str) -> list:
        segs = raw['segmentations']
        return [
            segs.get(osp.basename(f), {}).get(oid, {}).get('mask')
            for f in frames
        ]

    def _sample(self, raw: dict, frames: List[str], i: int, oids: list,
                turn: dict, words: int) -> dict:
        return dict(
            frame_paths=frames,
            objects=[
                dict(masks=self._masks(raw, frames, oid), oid=oid)
                for oid in oids
            ],
            turns=[dict(turn, type='qa', obj_inds=list(range(len(oids))))],
            num_words=words,
            entry=f"{self.SOURCE} {raw['video_id']} qa {i}",
            source=f'{self.SOURCE}_{self.task}')

    def _region(self, raw: dict, frames: List[str]) -> List[dict]:
        pairs = []
        for i, qa in enumerate(raw['question_answer_pairs']):
            question, answer = fix_ids(qa['question']), fix_ids(qa['answer'])
            oids = mentioned(question, answer)
            if oids:
                pairs.append((i, question, answer, oids))
        all_oids = mentioned(*[q + a for _, q, a, _ in pairs])
        if not pairs or 0 < self.max_objects < len(all_oids):
            return []
        return [
            self._sample(
                raw, frames, i,
                [o for o in all_oids if o in oids],
                dict(question=question, answer=answer),
                count_words(question, answer))
            for i, question, answer, oids in pairs
        ]

    def _mem(self, raw: dict, frames: List[str],
             rng: np.random.Generator) -> List[dict]:
        samples = []
        for i, qa in enumerate(raw['question_answer_pairs']):
            letter = 'ABCD'[rng.integers(4)]
            question = fix_ids(f"{qa['question']}\nOptions:\n({letter}) "
                               f"{qa['answer']}")
            oids = mentioned(question)
            if not oids or 0 < self.max_objects < len(oids):
                continue
            for oid in oids:
                question = question.replace(f'[{oid}]',
                                            f'[{oid}] {REF_TOKEN}', 1)
            answer = ' '.join(f'[{oid}] {SEG_TOKEN}' for oid in oids)
            samples.append(
                self._sample(raw, frames, i, oids,
                             dict(question=question, answer=answer),
                             count_words(question, answer)))
        return samples
