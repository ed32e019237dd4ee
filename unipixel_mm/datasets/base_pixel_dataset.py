"""The shared sample logic of UniPixel's data sets.

A data-set family only reads its annotation files into *data infos* in one
schema (:meth:`BasePixelDataset.load_data_list`); this class turns each
into the text of a conversation in one of the task forms of the reference
recipe, and the pipeline does the rest (frames, masks, prompts, tokens).

Task forms (``task``) and the reference data types they stand for:

- ``seg``: no visual prompt, one ``<|seg|>`` per object
  (``seg_image`` / ``seg_video``);
- ``ref``: a point or box prompt (``<|ref|>``) per object, a text answer
  (``ref_point`` / ``ref_box``);
- ``mem``: a point or box prompt and a ``<|seg|>`` per object, objects
  named by id (``mem_point_*`` / ``mem_box_*``);
- ``region``: a mask prompt per object (``<|mem|>`` tokens), a text answer
  (``region_image`` / ``region_video``);
- ``chat``: plain conversation (``multimodal``).
"""
from typing import List, Optional

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from unipixel_mm.text import SEG_TOKEN
from .templates import (REF_IMAGE_SHORT_PROMPTS, REG_DETAILED_PROMPTS,
                        SEG_DESCRIPTION_PROMPTS, SEG_EVAL_PROMPTS,
                        SEG_EXPLANATORY_PROMPTS, SEG_IMAGE_QUERY_PROMPTS,
                        SEG_MEMORY_PROMPTS, SEG_QUESTION_PROMPTS,
                        SEG_RESPONSES, SEG_SENTENCE_PROMPTS,
                        SEG_VIDEO_QUERY_PROMPTS)
from .transforms.loading import has_medium

#: Per task: the prompt kind (``'point_or_box'`` is decided per sample) and
#: whether the objects are segmentation targets.
TASKS = {
    'seg': dict(prompt_type=None, seg_targets=True),
    'ref': dict(prompt_type='point_or_box', seg_targets=False),
    'mem': dict(prompt_type='point_or_box', seg_targets=True),
    'region': dict(prompt_type='mask', seg_targets=False),
    'chat': dict(prompt_type=None, seg_targets=False),
}
PROMPT_TYPES = (None, 'point', 'box', 'point_or_box', 'mix', 'mask')


def _choice(options):
    return options[np.random.randint(len(options))]


def count_words(*texts: str) -> int:
    """Words of raw texts as the reference counts them (split on spaces)."""
    return sum(len(t.split(' ')) for t in texts)


def normalize_query(query) -> str:
    """A referring expression or class name as it enters a query template.

    Drops a final period, lower-cases the first letter and a leading
    article; an ``(object, part)`` pair becomes ``'object part'`` or
    ``'part of the object'`` at random.

    Args:
        query (str | tuple[str, str]): The expression or (object, part).

    Returns:
        str: E.g. ``'man in red'`` for ``'The man in red.'``.
    """
    if isinstance(query, (tuple, list)):
        obj, part = query
        query = f'{obj} {part}' if np.random.rand() < 0.5 else \
            f'{part} of the {obj}'
    else:
        query = query.strip('.')
    query = query[:1].lower() + query[1:]
    for article in ('the ', 'an ', 'a '):
        if query.startswith(article):
            query = query[len(article):]
    return query


class BasePixelDataset(BaseDataset):
    """Base class of the UniPixel data sets: conversations in task forms.

    :meth:`load_data_list` (overridden by each family) returns data infos
    with

    - the visual source: ``img_path``, ``frame_paths``, ``video_path``
      (+ optional ``candidate_frame_inds``) or in-memory ``frames``
      ((N, H, W, 3) uint8), see
      :class:`~unipixel_mm.datasets.transforms.LoadFrames`;
      none in a text-only conversation (``chat`` form, no objects);
    - ``objects``: a list of ``dict(masks=[one entry per candidate frame],
      oid=str, prompt=optional given prompt)``, see
      :func:`~unipixel_mm.datasets.transforms.loading.decode_mask`;
    - ``turns``: a list of ``dict(type=..., obj_inds=[...], ...)``, one per
      question, with ``type``

      - ``'query'`` (``query``: an expression or class name),
        ``'sentence'``, ``'description'`` (``query``), ``'explanatory'``,
        ``'question'`` (``query``, ``answer``): segmentation turns whose
        text comes from the reference's templates;
      - ``'qa'`` (``question``, ``answer``): text given by the data set,
        with one ``<|ref|>`` per point / box prompted object and, in the
        ``region`` form, objects named ``[oid]``; the ``mem`` form wraps the
        question in a segmentation-by-id instruction (a random one of
        ``SEG_MEMORY_PROMPTS``, or the one of index ``memory_prompt``);
      - ``'detailed_description'`` (``query``: the region's ``[oid]``,
        ``answer``) and ``'short_caption'`` (``answer``; the question holds
        one ``<|ref|>``): region captions asked with the reference's
        templates;
    - ``entry``: a name of the annotation entry for error messages;
    - optional ``memory_turn``: ``dict(question, answer_prefix, oids)``, a
      question the model answers after segmenting the ``<|seg|>`` objects of
      the given conversation, with its masks as mask prompts of objects
      ``[oid]`` (PixelQA, see :meth:`UniPixel.predict`); the conversation
      keeps its answers in ``test_mode`` then, ``gt_answer`` is the
      follow-up's;
    - optional ``task`` (else the data set's), ``gt_answer``, ``options``,
      ``num_words`` (words of the raw question and answer, for
      ``filter_cfg``) and, on the last turn, ``answer_prefix`` (text the
      model's answer starts with in evaluation, e.g. ``'Best Option: ('``).

    :meth:`get_data_info` adds ``task``, ``seg_targets``, ``prompt_type``
    and replaces every turn by ``dict(question, answer, obj_inds)``. In
    ``test_mode`` the last answer is left out (the model generates it) and
    kept as ``gt_answer``.

    Args:
        task (str, optional): Task form, a key of :data:`TASKS`; defaults
            to the class attribute ``TASK``.
        prompt_type (str, optional): Overrides the task's prompt kind:
            ``'point'``, ``'box'``, ``'point_or_box'`` (half of the samples
            points and half boxes, fixed per sample as in the reference),
            ``'mix'`` (points for half of a sample's objects, boxes for the
            others, see :class:`~unipixel_mm.datasets.transforms.
            SamplePrompts`) or ``'mask'``.
        seed (int): Seed of the per-sample point / box choice (and of other
            per-sample choices a family makes when it loads).
        seed_per_sample (bool, optional): Whether every sample's random
            choices come from a state seeded by ``(seed, idx)`` (see
            :meth:`prepare_data`). Defaults to ``test_mode``; set it for a
            validation set that keeps its answers (not ``test_mode``).
        eval_prompts (bool, optional): Ask segmentation turns with the one
            instruction per turn type of the reference's evaluation
            (:data:`SEG_EVAL_PROMPTS`) instead of a random training
            template. Defaults to ``test_mode``.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments;
            ``filter_cfg`` may set ``max_num_words`` (drops samples whose
            ``num_words`` is larger, the reference's ``max_num_words``),
            ``max_num_frames`` (drops samples with more candidate frames,
            the reference's ``max_video_frames``) and ``max_duration``
            (drops samples whose ``duration`` in seconds is longer, the
            reference's ``max_video_len``).
    """

    TASK = 'seg'

    def __init__(self,
                 *args,
                 task: Optional[str] = None,
                 prompt_type: Optional[str] = None,
                 seed: int = 0,
                 seed_per_sample: Optional[bool] = None,
                 eval_prompts: Optional[bool] = None,
                 **kwargs) -> None:
        self.task = task or self.TASK
        if self.task not in TASKS:
            raise ValueError(f'unknown task {self.task!r}, choose from '
                             f'{sorted(TASKS)}')
        if prompt_type not in PROMPT_TYPES:
            raise ValueError(f'unknown prompt_type {prompt_type!r}')
        self.prompt_type = prompt_type
        self.seed = seed
        super().__init__(*args, **kwargs)
        self.seed_per_sample = self.test_mode if seed_per_sample is None \
            else seed_per_sample
        self.eval_prompts = self.test_mode if eval_prompts is None \
            else eval_prompts

    def get_data_info(self, idx: int) -> dict:
        """A data info with its conversation text; see the class docstring.

        Args:
            idx (int): Sample index.

        Returns:
            dict: The data info, ready for the pipeline.
        """
        return self.format_sample(super().get_data_info(idx))

    def prepare_data(self, idx: int):
        """The pipeline's output for a sample.

        With ``seed_per_sample`` (by default in ``test_mode``) the random
        choices of the sample (question wording, the turns ``SampleObjects``
        keeps, prompt points, ...) come from a NumPy state seeded by ``(seed,
        idx)``: a sample reads the same on every rank, in every run and
        whatever the sampler's order, so evaluations on any number of
        processes agree.

        Args:
            idx (int): Sample index.

        Returns:
            Any: The pipeline's output.
        """
        if not self.seed_per_sample:
            return super().prepare_data(idx)
        state = np.random.get_state()
        np.random.seed(
            np.random.SeedSequence((self.seed, idx)).generate_state(1)[0])
        try:
            return super().prepare_data(idx)
        finally:
            np.random.set_state(state)

    def format_sample(self, info: dict) -> dict:
        """Adds the task fields and the turn texts to a data info.

        Args:
            info (dict): A data info of :meth:`load_data_list` with
                ``sample_idx``.

        Returns:
            dict: The same dict, completed.
        """
        task = info.setdefault('task', self.task)
        if task not in TASKS:
            raise ValueError(f"{info.get('entry', info['sample_idx'])}: "
                             f'unknown task {task!r}')
        info['seg_targets'] = TASKS[task]['seg_targets']
        info['prompt_type'] = self._prompt_type(info)
        info['turns'] = [self.format_turn(t, info) for t in info['turns']]
        if self.test_mode and info['turns'] and not info.get('memory_turn'):
            last = info['turns'][-1]
            info.setdefault('gt_answer', last['answer'])
            last['answer'] = None
        return info

    def data_type(self, idx: int) -> str:
        """The kind of sample ``idx`` (its task form, ``'text'`` for a
        text-only conversation), read from the stored data info without
        loading anything; see :class:`~unipixel_mm.datasets.samplers.
        DataTypeGroupSampler`."""
        info = BaseDataset.get_data_info(self, idx)
        task = info.get('task', self.task)
        # (data sets that make their frames on access have other tasks)
        return 'text' if task == 'chat' and not has_medium(info) else task

    def medium(self, idx: int) -> str:
        """What sample ``idx`` shows, ``'image'``, ``'video'`` or ``'text'``,
        read from the stored data info without loading anything; see
        :class:`~unipixel_mm.datasets.samplers.DataTypeGroupSampler`."""
        info = BaseDataset.get_data_info(self, idx)
        if not has_medium(info):
            return 'text'
        return 'image' if self.is_image(info) else 'video'

    def _prompt_type(self, info: dict) -> Optional[str]:
        prompt_type = self.prompt_type or TASKS[info['task']]['prompt_type']
        if prompt_type != 'point_or_box':
            return prompt_type
        rng = np.random.default_rng((self.seed, info['sample_idx']))
        return 'point' if rng.random() < 0.5 else 'box'

    @staticmethod
    def is_image(info: dict) -> bool:
        """Whether the sample shows a single image (not a video)."""
        if info.get('img_path'):
            return True
        for key in ('frame_paths', 'frames', 'candidate_frame_inds'):
            if info.get(key) is not None:
                return len(info[key]) == 1
        return False

    def format_turn(self, turn: dict, info: dict) -> dict:
        """The question and answer of one turn.

        Args:
            turn (dict): A turn of the data info (see the class docstring).
            info (dict): The data info (for the task and the media kind).

        Returns:
            dict: ``question`` (str), ``answer`` (str | None) and
            ``obj_inds`` (list[int]).
        """
        kind = turn.get('type', 'qa')
        answer = turn.get('answer')
        if kind == 'qa':
            question = turn['question']
            if info['task'] == 'mem':
                template = SEG_MEMORY_PROMPTS[turn['memory_prompt']] \
                    if 'memory_prompt' in turn else _choice(SEG_MEMORY_PROMPTS)
                question = template.format(question)
        elif kind == 'query':
            templates = SEG_IMAGE_QUERY_PROMPTS if self.is_image(info) \
                else SEG_VIDEO_QUERY_PROMPTS
            query = normalize_query(turn['query'])
            question = _choice(templates).format(query)
            answer = _choice(SEG_RESPONSES)
        elif kind == 'sentence':
            question = _choice(SEG_SENTENCE_PROMPTS).format(turn['query'])
            answer = _choice(SEG_RESPONSES)
        elif kind == 'description':
            question = _choice(SEG_DESCRIPTION_PROMPTS).format(turn['query'])
            answer = _choice(SEG_RESPONSES)
        elif kind == 'explanatory':
            question = _choice(SEG_EXPLANATORY_PROMPTS).format(turn['query'])
            answer = f"{_choice(SEG_RESPONSES)} {turn['answer']}"
        elif kind == 'question':
            question = _choice(SEG_QUESTION_PROMPTS).format(turn['query'])
            answer = f"{turn['answer']} {SEG_TOKEN}."
        elif kind == 'detailed_description':
            question = _choice(REG_DETAILED_PROMPTS).format(turn['query'])
        elif kind == 'short_caption':
            question = _choice(REF_IMAGE_SHORT_PROMPTS)
        else:
            raise ValueError(f"{info.get('entry')}: unknown turn type "
                             f'{kind!r}')
        if self.eval_prompts and kind in SEG_EVAL_PROMPTS:
            query = turn['query']
            if kind == 'query':
                query = (normalize_query(query),
                         'image' if self.is_image(info) else 'video')
            else:
                query = (query, )
            question = SEG_EVAL_PROMPTS[kind].format(*query)
        out = dict(
            question=question,
            answer=answer,
            obj_inds=list(turn.get('obj_inds', [])))
        if turn.get('answer_prefix'):
            out['answer_prefix'] = turn['answer_prefix']
        return out

    def filter_data(self) -> List[dict]:
        """Drops samples by ``filter_cfg`` (see the class docstring).

        Returns:
            list[dict]: The kept data infos.
        """
        cfg = self.filter_cfg or {}
        max_words = cfg.get('max_num_words', -1)
        max_frames = cfg.get('max_num_frames', -1)
        max_duration = cfg.get('max_duration', -1)
        if max(max_words, max_frames, max_duration) < 0:
            return self.data_list

        def keep(info: dict) -> bool:
            words = info.get('num_words', 0)
            frames = len(
                info.get('frame_paths') or info.get('candidate_frame_inds')
                or [])
            duration = info.get('duration', 0)
            return not (0 <= max_words < words or 0 <= max_frames < frames
                        or 0 <= max_duration < duration)

        kept = [info for info in self.data_list if keep(info)]
        if len(kept) < len(self.data_list):
            print_log(
                f'{self.__class__.__name__}: filter_cfg {cfg} dropped '
                f'{len(self.data_list) - len(kept)} of '
                f'{len(self.data_list)} samples',
                logger='current')
        return kept

    def load_data_list(self) -> List[dict]:
        """Reads the annotations into data infos; each family overrides it.

        Returns:
            list[dict]: Data infos in the schema of the class docstring.
        """
        raise NotImplementedError(
            f'{self.__class__.__name__} must implement load_data_list')
