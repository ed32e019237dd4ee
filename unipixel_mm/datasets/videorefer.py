"""VideoRefer-700K and VideoRefer-Bench: object-level video captions and QA.

On-disk format of VideoRefer-700K (the ``*-wo-masks.json`` files): a list
of ``dict(id, video='{name}.mp4', conversations=[human, gpt], annotation=
[{frame index (str): ...} per object], ratio=...)``. The human turn has
``<video>`` at its start or end and one ``<region>`` per object; QA samples
about several objects start with an introduction line ``There are
<object0><region> and <object1><region> in the video.`` and name them
``<object0>``, ... afterwards. The masks of the ``i``-th entry are
``{mask folder}/{i}.json``: per object, per annotated frame (the sorted
union of the objects' frame indices), a list of COCO RLEs.

VideoRefer-Bench-Q / -D (evaluation) are lists of ``dict(video,
annotation=[{frame index (str): dict(segmentation=RLE)} per object],
frame_idx, ...)`` with ``Question``, ``options``, ``Answer``, ``type``
(Q) or ``caption`` (D).

Task forms, as the reference builds them:

- ``region`` (``videorefer_*_caption`` / ``videorefer_qa``): objects given
  by mask prompts and named ``[id]`` (a random id for single-object
  samples, the ``<objectN>`` number otherwise);
- ``ref`` (``videorefer_short_caption_ref``): the one object given by a
  point / box prompt, ``<region>`` read as ``<|ref|>``;
- ``mem`` (``videorefer_qa_mem``): the answer is appended as an option and
  the model segments the objects of the question by id.
"""
import os.path as osp
import re
from typing import List

import numpy as np
from mmengine.dataset import BaseDataset

from unipixel_mm.registry import DATASETS
from unipixel_mm.text import REF_TOKEN, seg_by_id_answer
from .base_pixel_dataset import BasePixelDataset, count_words
from .utils import load_annotation

_OBJECT = re.compile(r'<object(\d+)><region>')


def strip_media_tag(text: str, tag: str = '<video>') -> str:
    """Removes a ``<video>`` / ``<image>`` line at the start or the end."""
    text = text.strip()
    if text.startswith(f'{tag}\n'):
        text = text[len(tag) + 1:].strip()
    if text.endswith(f'\n{tag}'):
        text = text[:-len(tag) - 1].strip()
    return text


def name_objects(question: str, answer: str, num_objs: int, entry: str,
                 ref: bool = False):
    """Names the ``<region>`` objects of a VideoRefer question by id.

    ``<objectN><region>`` becomes ``[N]`` (``[N] <|ref|>`` with ``ref``) and
    later ``<objectN>`` mentions ``[N]``; a single bare ``<region>`` gets a
    random id in [0, 16) as the reference draws it.

    Args:
        question (str): The question.
        answer (str): The answer (its ``<objectN>`` are renamed too).
        num_objs (int): Objects annotated.
        entry (str): The entry, for error messages.
        ref (bool): Follow each object's first mention by ``<|ref|>``.

    Returns:
        tuple[str, str, list[str]]: Question, answer and the object ids in
        annotation order.
    """
    tag = f' {REF_TOKEN}' if ref else ''
    matches = _OBJECT.findall(question)
    if matches:
        if len(matches) != num_objs:
            raise ValueError(f'{entry}: {len(matches)} <objectN><region> '
                             f'in the question, {num_objs} objects annotated')
        for oid in matches:
            question = question.replace(f'<object{oid}><region>',
                                        f'[{oid}]{tag}')
            question = question.replace(f'<object{oid}>', f'[{oid}]')
            answer = answer.replace(f'<object{oid}>', f'[{oid}]')
        oids = matches
    else:
        if question.count('<region>') != 1 or num_objs != 1:
            raise ValueError(f"{entry}: {question.count('<region>')} "
                             f'<region> in the question, {num_objs} objects '
                             'annotated')
        oids = [str(np.random.randint(16))]
        question = question.replace('<region>', f'[{oids[0]}]{tag}')
    if '<region>' in question or '<object' in question + answer:
        raise ValueError(f'{entry}: unmatched <region> / <object> in '
                         f'{question!r} -> {answer!r}')
    return question, answer, oids


def frame_masks(annotation: List[dict], frame_inds: List[int],
                only_frame: int = None) -> List[List[list]]:
    """Per object, per frame of ``frame_inds``, the list of its RLEs.

    Args:
        annotation (list[dict]): Per object ``{frame (str):
            dict(segmentation=RLE)}``.
        frame_inds (list[int]): The frames.
        only_frame (int, optional): Keep the masks of this frame only.

    Returns:
        list[list[list]]: ``[[[rle] or [None] per frame] per object]``.
    """
    return [[[
        obj[str(i)]['segmentation']
        if str(i) in obj and only_frame in (None, i) else None
    ] for i in frame_inds] for obj in annotation]


class _VideoReferBase(BasePixelDataset):
    """Shared reading of annotated frames and per-object masks."""

    def _media(self, info: dict, masks: list, single_frame: bool) -> None:
        """Sets the candidate frames and objects of a sample.

        With ``single_frame`` the candidates are all frames of the video and
        the one annotated frame must be sampled; otherwise the candidates
        are the annotated frames.
        """
        frame_inds = info.pop('annotated_frame_inds')
        if len(masks) != len(info['oids']) or any(
                len(m) != len(frame_inds) for m in masks):
            raise ValueError(
                f"{info['entry']}: masks of {[len(m) for m in masks]} "
                f"frames for {len(info['oids'])} objects on "
                f'{len(frame_inds)} annotated frames')
        if single_frame:
            if len(frame_inds) != 1:
                raise ValueError(f"{info['entry']}: a single-frame prompt "
                                 'needs one annotated frame, got '
                                 f'{frame_inds}')
            info['required_frame'] = frame_inds[0]
            objs = [{frame_inds[0]: m[0]} for m in masks]
        else:
            info['candidate_frame_inds'] = frame_inds
            objs = masks
        info['objects'] = [
            dict(masks=m, oid=oid) for m, oid in zip(objs, info.pop('oids'))
        ]


@DATASETS.register_module()
class VideoRefer700KDataset(_VideoReferBase):
    """VideoRefer-700K short / detailed captions and QA in a task form.

    Args:
        data_root (str): Data root.
        ann_file (str): A ``*-wo-masks.json`` file.
        data_prefix (dict): ``video_path`` (the videos) and ``mask_path``
            (the per-entry mask JSON folder).
        task (str): ``'region'``, ``'ref'`` or ``'mem'``.
        single_frame (str): When the prompt is given on one frame of the
            whole video: ``'always'`` (short captions; the entries have one
            annotated frame), ``'auto'`` (when an entry has one annotated
            frame) or ``'never'`` (such entries are skipped, as the ``mem``
            form does).
        max_objects (int): Entries with more objects are skipped; -1 keeps
            all. Defaults to 5.
        min_ratio (float): Entries whose ``ratio`` (annotated fraction) is
            lower are skipped. Defaults to 0.3.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'videorefer'

    def __init__(self,
                 data_root: str = 'data/videorefer/VideoRefer-700K',
                 ann_file: str = 'videorefer-qa-75k-wo-masks.json',
                 data_prefix: dict = dict(
                     video_path='videos', mask_path='masks_qa'),
                 task: str = 'region',
                 single_frame: str = 'auto',
                 max_objects: int = 5,
                 min_ratio: float = 0.3,
                 **kwargs) -> None:
        if single_frame not in ('always', 'auto', 'never'):
            raise ValueError(f'unknown single_frame {single_frame!r}')
        if task not in ('region', 'ref', 'mem'):
            raise ValueError(f'VideoRefer-700K has no {task!r} form')
        self.single_frame = single_frame
        self.max_objects = max_objects
        self.min_ratio = min_ratio
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            task=task,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per kept entry; masks and ids resolved on access."""
        entries = load_annotation(self.ann_file, 'VideoRefer-700K file')
        name = osp.splitext(osp.basename(self.ann_file))[0]
        data_list = []
        for idx, raw in enumerate(entries):
            entry = f"videorefer {name} {idx} ({raw.get('id')})"
            num_objs = len(raw['annotation'])
            if num_objs == 0 or 0 < self.max_objects < num_objs:
                continue
            if raw.get('ratio', 1) < self.min_ratio:
                continue
            if len(raw['conversations']) != 2:
                raise ValueError(f'{entry}: {len(raw["conversations"])} '
                                 'conversation turns, 2 expected')
            question = strip_media_tag(raw['conversations'][0]['value'])
            answer = raw['conversations'][1]['value'].strip()
            if question.count('<region>') != num_objs:
                raise ValueError(f"{entry}: {question.count('<region>')} "
                                 f'<region> for {num_objs} objects')
            frame_inds = sorted({int(k) for obj in raw['annotation']
                                for k in obj})
            single = self.single_frame == 'always' or len(frame_inds) == 1
            if single and self.single_frame == 'never':
                continue
            data_list.append(
                dict(
                    video_path=osp.join(self.data_prefix['video_path'],
                                        raw['video']),
                    mask_file=osp.join(self.data_prefix['mask_path'],
                                       f'{idx}.json'),
                    annotated_frame_inds=frame_inds,
                    single_frame=single,
                    question=question,
                    answer=answer,
                    num_objs=num_objs,
                    num_words=count_words(question, answer),
                    entry=entry,
                    source=f'videorefer_{self.task}'))
        return data_list

    def get_data_info(self, idx: int) -> dict:
        """Reads the entry's masks, names its objects and formats it."""
        info = BaseDataset.get_data_info(self, idx)
        entry = info['entry']
        question, answer = info.pop('question'), info.pop('answer')
        num_objs = info.pop('num_objs')
        if self.task == 'region':
            question, answer, oids = name_objects(question, answer,
                                                  num_objs, entry)
            if '\n' in question:
                # the region prefix replaces the introduction line
                question = question.split('\n', 1)[1]
        elif self.task == 'ref':
            if num_objs != 1:
                raise ValueError(f'{entry}: the ref form takes one object, '
                                 f'got {num_objs}')
            question = question.replace('<region>', REF_TOKEN)
            oids = ['0']
        else:
            letter = 'ABCD'[np.random.randint(4)]
            question = f'{question}\nOptions:\n({letter}) {answer}'
            question, _, oids = name_objects(
                question, '', num_objs, entry, ref=True)
            answer = seg_by_id_answer(oids)
        info['oids'] = oids
        masks = load_annotation(info.pop('mask_file'), f'{entry}: mask file')
        self._media(info, masks, info.pop('single_frame'))
        info['turns'] = [
            dict(
                type='qa',
                question=question,
                answer=answer,
                obj_inds=list(range(num_objs)))
        ]
        return self.format_sample(info)


@DATASETS.register_module()
class VideoReferBenchQDataset(_VideoReferBase):
    """VideoRefer-Bench-Q: multiple-choice questions about objects in
    videos (evaluation), in two forms.

    - ``task='region'`` (VideoRefer-Bench-Q): the objects are given by
      their masks (``<|mem|>`` tokens) and named ``[oid]``; the question
      lists the options and asks for the best one.
    - ``task='mem'`` (PixelQA): the objects are given by a point or a box
      on the ``frame_idx`` frame (``[oid] <|ref|>``, ``prompt_type``
      ``'point'``, ``'box'`` or ``'mix'``). The model first segments them
      by id through the video (the conversation holds the question and
      options wrapped in the first of ``SEG_MEMORY_PROMPTS`` and the
      answer ``[oid] <|seg|>`` per object, as the reference's PixelQA
      script gives it), then answers the question with its own masks as
      mask prompts (``memory_turn``); ``gt_masks`` are the objects' masks
      on the sampled frames.

    The model's answer starts after ``'The best option is ('``;
    ``gt_answer`` is the option letter and ``options`` the option texts.

    Args:
        data_root (str): Data root.
        ann_file (str): ``VideoRefer-Bench-Q.json``.
        data_prefix (dict): ``video_path``: the video folder.
        task (str): ``'region'`` or ``'mem'``. Defaults to ``'region'``.
        single_frame (bool): In the region form, give the mask prompts on
            the ``frame_idx`` frame only (the benchmark's single-frame
            mode). Defaults to False.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    TASK = 'region'
    SOURCE = 'videorefer_bench_q'
    ANSWER_PREFIX = 'The best option is ('

    def __init__(self,
                 data_root: str = 'data/videorefer/VideoRefer-Bench',
                 ann_file: str = 'VideoRefer-Bench-Q.json',
                 data_prefix: dict = dict(video_path='videos'),
                 task: str = 'region',
                 single_frame: bool = False,
                 test_mode: bool = True,
                 **kwargs) -> None:
        if task not in ('region', 'mem'):
            raise ValueError(f"{self.SOURCE} has the 'region' and 'mem' "
                             f'forms, got task={task!r}')
        if single_frame and task == 'mem':
            raise ValueError('single_frame applies to the mask prompts of '
                             "task='region'; the 'mem' form prompts on the "
                             'frame_idx frame anyway')
        self.single_frame = single_frame
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            task=task,
            test_mode=test_mode,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per question."""
        data_list = []
        for idx, raw in enumerate(load_annotation(self.ann_file)):
            entry = f'{self.SOURCE} {idx}'
            question = raw['Question'].strip() + '\nOptions:'
            question += ''.join(f'\n{opt}' for opt in raw['options'])
            num_objs = len(raw['annotation'])
            if self.task == 'mem':
                info = self._memory_info(raw, question, entry)
            else:
                question += '\nPlease only give the best option.'
                question, _, oids = name_objects(question, '', num_objs,
                                                 entry)
                info = bench_info(self, raw, entry, oids)
                info['turns'] = [
                    dict(
                        type='qa',
                        question=question,
                        answer=raw['Answer'][1],
                        answer_prefix=self.ANSWER_PREFIX,
                        obj_inds=list(range(num_objs)))
                ]
            info.update(
                options=list(raw['options']), question_type=raw.get('type'))
            data_list.append(info)
        return data_list

    def _memory_info(self, raw: dict, question: str, entry: str) -> dict:
        """The PixelQA form: segment the prompted objects by id, then
        answer about them."""
        num_objs = len(raw['annotation'])
        if _OBJECT.search(question) is None:
            # a single bare <region> is object [0], as the reference has it
            if question.count('<region>') != 1 or num_objs != 1:
                raise ValueError(f"{entry}: {question.count('<region>')} "
                                 f'<region> in the question, {num_objs} '
                                 'objects annotated')
            question = question.replace('<region>', '<object0><region>')
        seg_question, _, oids = name_objects(
            question, '', num_objs, entry, ref=True)
        follow_up, _, _ = name_objects(
            question + '\nPlease only give the best option.', '', num_objs,
            entry)
        info = bench_info(self, raw, entry, oids)
        info.update(
            prompt_frame=info['required_frame'],
            gt_answer=raw['Answer'][1],
            turns=[
                dict(
                    type='qa',
                    question=seg_question + '.',
                    memory_prompt=0,
                    answer=seg_by_id_answer(oids),
                    obj_inds=list(range(num_objs)))
            ],
            memory_turn=dict(
                question=follow_up,
                answer_prefix=self.ANSWER_PREFIX,
                oids=list(oids)))
        return info

    def get_data_info(self, idx: int) -> dict:
        info = BaseDataset.get_data_info(self, idx)
        self._media(info, info.pop('masks'), False)
        return self.format_sample(info)


@DATASETS.register_module()
class VideoReferBenchDDataset(VideoReferBenchQDataset):
    """VideoRefer-Bench-D: detailed descriptions of a mask-prompted object
    (evaluation); ``gt_answer`` is the reference caption."""

    SOURCE = 'videorefer_bench_d'
    QUESTION = ('Please give a detailed description of the highlighted '
                'object [0] in the video.')

    def __init__(self,
                 ann_file: str = 'VideoRefer-Bench-D.json',
                 data_prefix: dict = dict(
                     video_path='videos/Panda-70M-part'),
                 **kwargs) -> None:
        super().__init__(
            ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per described object."""
        data_list = []
        for idx, raw in enumerate(load_annotation(self.ann_file)):
            info = bench_info(self, raw, f'{self.SOURCE} {idx}', ['0'])
            info['turns'] = [
                dict(
                    type='qa',
                    question=self.QUESTION,
                    answer=raw['caption'],
                    obj_inds=[0])
            ]
            data_list.append(info)
        return data_list


def bench_info(dataset: VideoReferBenchQDataset, raw: dict, entry: str,
               oids: List[str]) -> dict:
    """The media fields of a VideoRefer-Bench entry: its annotated frames
    (the prompt frame ``frame_idx`` always sampled) and object masks."""
    frame_inds = sorted({int(k) for obj in raw['annotation'] for k in obj})
    question_frame = int(raw['frame_idx'])
    if question_frame not in frame_inds:
        raise ValueError(f'{entry}: frame_idx {question_frame} is not '
                         f'annotated ({frame_inds})')
    only = question_frame if dataset.single_frame else None
    return dict(
        video_path=osp.join(dataset.data_prefix['video_path'], raw['video']),
        annotated_frame_inds=frame_inds,
        required_frame=frame_inds.index(question_frame),
        masks=frame_masks(raw['annotation'], frame_inds, only),
        oids=oids,
        entry=entry,
        source=dataset.SOURCE)
