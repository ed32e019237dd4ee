"""General instruction data and multiple-choice video benchmarks.

- LLaVA-Instruct-665K + VideoGPT+ 576K (the reference's
  ``llava_v1_5_mix665k_with_videogpt_plus_576k.json``): a list of ``dict(id,
  image='{path}' | video='{path}', conversations=[dict(from='human' |
  'gpt', value=...), ...])``; the first human turn has an ``<image>`` /
  ``<video>`` line at its start or end. Entries with neither ``image`` nor
  ``video`` are text-only conversations.
- MVBench: ``json/{task}.json`` lists of ``dict(video, question,
  candidates, answer)``; each task's videos lie in its own folder of
  ``video/`` (the ``tvqa`` task as folders of frames).
- Video-MME: ``test-00000-of-00001.parquet`` with ``videoID``, ``question``,
  ``options`` (``'A. ...'``), ``answer`` (a letter) and ``duration``
  (short / medium / long); videos ``{videoID}.mp4``.

The benchmarks are evaluation-only: the question lists the options as
``(A) ...`` and asks for the best one, the model's answer starts after
``'Best Option: ('`` and ``gt_answer`` is the letter of the right option.
"""
import os.path as osp
import re
from typing import List, Sequence

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset, count_words
from .utils import load_annotation, require_fields
from .videorefer import strip_media_tag

ANSWER_PREFIX = 'Best Option: ('


def parse_question(question: str) -> str:
    """Collapses white space, as the reference's ``parse_question``."""
    return re.sub(r'\s+', ' ', question).strip()


def options_prompt(question: str, options: Sequence[str]) -> str:
    """The reference's multiple-choice prompt (its ``mcq`` style).

    Args:
        question (str): The question.
        options (Sequence[str]): Option texts without letters.

    Returns:
        str: ``'{question}\\nOptions:\\n(A) ...\\n(B) ...\\nPlease only give
        the best option.'`` with each option capitalised.
    """
    lines = [f'{question}\nOptions:'] + [
        f'({chr(ord("A") + i)}) {opt[:1].upper()}{opt[1:]}'
        for i, opt in enumerate(options)
    ]
    return '\n'.join(lines) + '\nPlease only give the best option.'


@DATASETS.register_module()
class LLaVAInstructDataset(BasePixelDataset):
    """Conversations about an image, a video or neither (the ``chat`` form).

    Text-only conversations (LLaVA-665K entries without ``image`` and
    ``video``) are kept, as the reference keeps them: their data infos have
    no visual source and the pipeline passes them through without frames
    (see :func:`~unipixel_mm.datasets.transforms.loading.text_only`).

    Args:
        data_root (str): Data root.
        ann_file (str): The conversation JSON.
        data_prefix (dict): ``img_path`` and ``video_path``: the roots of
            ``image`` and ``video``.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    TASK = 'chat'

    def __init__(self,
                 data_root: str = 'data',
                 ann_file: str = 'general/llava_v1_5_mix665k_with_'
                 'videogpt_plus_576k.json',
                 data_prefix: dict = dict(
                     img_path='llava_instruct', video_path='videogpt_plus'),
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per conversation."""
        raws = load_annotation(self.ann_file, 'conversation file')
        data_list = []
        for i, raw in enumerate(raws):
            entry = f"llava {raw.get('id', i)}"
            if 'image' in raw and 'video' in raw:
                raise ValueError(f'{entry}: both an image and a video')
            if 'image' in raw:
                media = dict(
                    img_path=osp.join(self.data_prefix['img_path'],
                                      raw['image']),
                    source='llava_instruct_665k')
            elif 'video' in raw:
                media = dict(
                    video_path=osp.join(self.data_prefix['video_path'],
                                        raw['video']),
                    source='videogpt_plus_576k')
            else:
                media = dict(source='llava_instruct_665k')
            data_list.append(
                dict(
                    media,
                    turns=self._turns(raw['conversations'], entry),
                    duration=raw.get('duration', 0),
                    num_words=count_words(raw['conversations'][1]['value']),
                    entry=entry))
        return data_list

    @staticmethod
    def _turns(convs: List[dict], entry: str) -> List[dict]:
        roles = [c['from'] for c in convs]
        if len(convs) < 2 or len(convs) % 2 or roles[::2] != [
                'human'
        ] * (len(convs) // 2) or roles[1::2] != ['gpt'] * (len(convs) // 2):
            raise ValueError(f'{entry}: conversations must alternate human '
                             f'and gpt, got {roles}')
        first = strip_media_tag(
            strip_media_tag(convs[0]['value'], '<image>'), '<video>')
        questions = [first] + [c['value'] for c in convs[2::2]]
        return [
            dict(type='qa', question=q, answer=c['value'])
            for q, c in zip(questions, convs[1::2])
        ]


class _MultipleChoiceDataset(BasePixelDataset):
    """Shared sample layout of the multiple-choice video benchmarks."""

    TASK = 'chat'

    def __init__(self, *args, test_mode: bool = True, **kwargs) -> None:
        super().__init__(*args, test_mode=test_mode, **kwargs)

    @staticmethod
    def make_sample(question: str, options: List[str], answer: int,
                    **fields) -> dict:
        """A data info asking ``question`` with ``options``.

        Args:
            question (str): The question.
            options (list[str]): Option texts.
            answer (int): Index of the right option.
            **fields: The media and other keys.

        Returns:
            dict: With ``gt_answer`` (the letter) and ``options``.
        """
        letter = chr(ord('A') + answer)
        return dict(
            turns=[
                dict(
                    type='qa',
                    question=options_prompt(question, options),
                    answer=letter,
                    answer_prefix=ANSWER_PREFIX)
            ],
            options=options,
            **fields)


@DATASETS.register_module()
class MVBenchDataset(_MultipleChoiceDataset):
    """MVBench, its 20 tasks in the reference's order.

    Args:
        data_root (str): The MVBench folder (``json/`` and ``video/``).
        tasks (Sequence[tuple]): ``(name, json file, video folder, kind)``
            with kind ``'video'`` (a video file) or ``'frame'`` (a folder of
            frames); defaults to :attr:`TASKS`.
        frame_task_frames (int): Frames of a ``'frame'`` task's folder: the
            reference takes every ``n // 31``-th of its n frames, at most 32
            (``frame_sampling=dict(sample_type='stride', num_frames=32)``
            of each sample, see
            :class:`~unipixel_mm.datasets.transforms.LoadFrames`); the
            videos are sampled by the pipeline. Defaults to 32.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    TASKS = (
        ('Episodic Reasoning', 'episodic_reasoning.json',
         'tvqa/frames_fps3_hq', 'frame'),
        ('Action Sequence', 'action_sequence.json', 'star/Charades_v1_480',
         'video'),
        ('Action Prediction', 'action_prediction.json',
         'star/Charades_v1_480', 'video'),
        ('Action Antonym', 'action_antonym.json', 'ssv2_video', 'video'),
        ('Fine-grained Action', 'fine_grained_action.json',
         'Moments_in_Time_Raw/videos', 'video'),
        ('Unexpected Action', 'unexpected_action.json', 'FunQA_test/test',
         'video'),
        ('Object Existence', 'object_existence.json',
         'clevrer/video_validation', 'video'),
        ('Object Interaction', 'object_interaction.json',
         'star/Charades_v1_480', 'video'),
        ('Object Shuffle', 'object_shuffle.json', 'perception/videos',
         'video'),
        ('Moving Direction', 'moving_direction.json',
         'clevrer/video_validation', 'video'),
        ('Action Localization', 'action_localization.json', 'sta/sta_video',
         'video'),
        ('Scene Transition', 'scene_transition.json', 'scene_qa/video',
         'video'),
        ('Action Count', 'action_count.json', 'perception/videos', 'video'),
        ('Moving Count', 'moving_count.json', 'clevrer/video_validation',
         'video'),
        ('Moving Attribute', 'moving_attribute.json',
         'clevrer/video_validation', 'video'),
        ('State Change', 'state_change.json', 'perception/videos', 'video'),
        ('Fine-grained Pose', 'fine_grained_pose.json', 'nturgbd', 'video'),
        ('Character Order', 'character_order.json', 'perception/videos',
         'video'),
        ('Egocentric Navigation', 'egocentric_navigation.json', 'vlnqa',
         'video'),
        ('Counterfactual Inference', 'counterfactual_inference.json',
         'clevrer/video_validation', 'video'),
    )

    def __init__(self,
                 data_root: str = 'data/mvbench',
                 tasks: Sequence[tuple] = TASKS,
                 frame_task_frames: int = 32,
                 **kwargs) -> None:
        self.tasks = [tuple(t) for t in tasks]
        self.frame_task_frames = frame_task_frames
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per question of every task."""
        data_list = []
        for name, ann_file, folder, kind in self.tasks:
            if kind not in ('video', 'frame'):
                raise ValueError(f"MVBench task {name}: kind {kind!r} is "
                                 "neither 'video' nor 'frame'")
            sampling = dict(
                frame_sampling=dict(
                    sample_type='stride', num_frames=self.frame_task_frames)
            ) if kind == 'frame' else {}
            path = osp.join(self.data_root, 'json', ann_file)
            for i, raw in enumerate(load_annotation(path, f'MVBench {name}')):
                entry = f'mvbench {name} {i}'
                require_fields(raw, ('video', 'question', 'candidates',
                                     'answer'), entry, path)
                options = list(raw['candidates'])
                if raw['answer'] not in options:
                    raise ValueError(f"{entry}: answer {raw['answer']!r} is "
                                     f'not an option of {path}')
                data_list.append(
                    self.make_sample(
                        parse_question(raw['question']),
                        options,
                        options.index(raw['answer']),
                        video_path=osp.join(self.data_root, 'video', folder,
                                            raw['video']),
                        question_type=name,
                        entry=entry,
                        source='mvbench',
                        **sampling))
        return data_list


@DATASETS.register_module()
class VideoMMEDataset(_MultipleChoiceDataset):
    """Video-MME (without subtitles).

    Args:
        data_root (str): The Video-MME folder.
        ann_file (str): The parquet file (read with pandas) or the same
            records as a JSON list.
        data_prefix (dict): ``video_path``: the video folder.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    def __init__(self,
                 data_root: str = 'data/videomme',
                 ann_file: str = 'test-00000-of-00001.parquet',
                 data_prefix: dict = dict(
                     video_path='videos_3fps_480_noaudio'),
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)

    def _records(self) -> List[dict]:
        if not self.ann_file.endswith('.parquet'):
            return load_annotation(self.ann_file, 'Video-MME file')
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'Video-MME file not found: {self.ann_file}')
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError('reading the Video-MME parquet file needs '
                              'pandas and pyarrow: `pip install pandas '
                              'pyarrow`') from e
        return pd.read_parquet(self.ann_file).to_dict(orient='records')

    def load_data_list(self) -> List[dict]:
        """One data info per question."""
        data_list = []
        for i, raw in enumerate(self._records()):
            require_fields(raw, ('videoID', 'question', 'options', 'answer',
                                 'duration'), f'videomme record {i}',
                           self.ann_file)
            entry = f"videomme {raw['videoID']} {raw.get('question_id', '')}"
            options = [str(o) for o in raw['options']]
            if len(options) != 4 or any(not o.startswith(f'{k}. ')
                                        for o, k in zip(options, 'ABCD')):
                raise ValueError(f'{entry}: options must be "A. ..." to '
                                 f'"D. ...", got {options}')
            if raw['answer'] not in ('A', 'B', 'C', 'D'):
                raise ValueError(f"{entry}: answer {raw['answer']!r} is no "
                                 'option letter')
            data_list.append(
                self.make_sample(
                    parse_question(raw['question']),
                    [o[3:] for o in options],
                    'ABCD'.index(raw['answer']),
                    video_path=osp.join(self.data_prefix['video_path'],
                                        f"{raw['videoID']}.mp4"),
                    question_type=raw.get('duration'),
                    entry=entry.strip(),
                    source='videomme'))
        return data_list
