"""The one conversation formatter: chat text, token ids and labels.

Training samples, evaluation prompts and the PixelQA follow-up question are
all rendered here with the processor's chat template, so the model sees one
form of text whoever writes it (the data pipeline's
:class:`~unipixel_mm.datasets.transforms.FormatConversation`, the model's
second PixelQA pass, the inferencer).
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch

from .processor import get_processor
from .qwen3_processor import expand_video_placeholder
from .tokens import IGNORE_INDEX, MEM_TOKEN, REF_TOKEN, SEG_TOKEN

_ASSISTANT_START = '<|im_start|>assistant\n'
_TURN_END = '<|im_end|>'


def region_prefix(num_frames: int, prompt_masks: torch.Tensor,
                  oids: Sequence[str]) -> str:
    """The text that introduces mask-prompted objects as ``<|mem|>`` tokens.

    Each object is listed by its id with one ``<|mem|>`` per temporal group
    (two frames) in which its mask prompt is present; in a video each
    ``<|mem|>`` follows the group's frame numbers, ``<1>-<2>`` for the first.

    Args:
        num_frames (int): Number of sampled frames T; 1 for an image.
        prompt_masks (Tensor): (grid_t, O, h, w) bool.
        oids (Sequence[str]): Object ids as the question refers to them
            (``[oid]``).

    Returns:
        str: E.g. ``'Here is a video with 4 frames denoted as <1> to <4>.
        The highlighted regions are as follows:\\n[0]: <1>-<2> <|mem|>\\n'``.
    """
    if num_frames > 1:
        text = (f'Here is a video with {num_frames} frames denoted as <1> to '
                f'<{num_frames}>. The highlighted regions are as follows:\n')
    else:
        text = 'Here is an image with the following highlighted regions:\n'
    present = prompt_masks.flatten(2).any(dim=2)
    for o, oid in enumerate(oids):
        groups = present[:, o].nonzero()[:, 0].tolist()
        if num_frames > 1:
            mems = [f'<{2 * g + 1}>-<{2 * g + 2}> {MEM_TOKEN}' for g in groups]
        else:
            mems = [MEM_TOKEN for _ in groups]
        text += f'[{oid}]: ' + ' '.join(mems) + '\n'
    return text


def seg_by_id_answer(oids: Sequence[str]) -> str:
    """The answer that segments objects by id (PixelQA's first pass).

    Args:
        oids (Sequence[str]): Object ids.

    Returns:
        str: E.g. ``'[0] <|seg|> [1] <|seg|>'``.
    """
    return ' '.join(f'[{oid}] {SEG_TOKEN}' for oid in oids)


def assistant_spans(text: str) -> List[Tuple[int, int]]:
    """Character spans of the assistant answers in a chat text.

    An answer runs from after ``<|im_start|>assistant\\n`` to the end of the
    ``<|im_end|>`` that closes it (the model learns to end its turn).

    Args:
        text (str): A text rendered with the ChatML template.

    Returns:
        list[tuple[int, int]]: (start, end) character offsets.
    """
    spans, pos = [], 0
    while (start := text.find(_ASSISTANT_START, pos)) >= 0:
        start += len(_ASSISTANT_START)
        end = text.find(_TURN_END, start)
        end = len(text) if end < 0 else end + len(_TURN_END)
        spans.append((start, end))
        pos = end
    return spans


@dataclass
class Conversation:
    """A formatted conversation.

    Attributes:
        input_ids (Tensor): (L,) long, the video placeholder expanded.
        labels (Tensor): (L,) long, ``IGNORE_INDEX`` except on the answers.
        text (str): The rendered text before the video expansion.
        generate (bool): Whether it ends with the generation prompt (the
            last turn has no answer).
    """
    input_ids: torch.Tensor
    labels: torch.Tensor
    text: str
    generate: bool


class ConversationFormatter:
    """Renders turns with the chat template and tokenises them.

    The first user turn gets the video and, when the objects come with mask
    prompts, the :func:`region_prefix` before its question; every later
    turn is text only. The ``<|video_pad|>`` placeholder is expanded to
    ``prod(video_grid_thw) / merge_size ** 2`` tokens. Labels are
    ``IGNORE_INDEX`` except on the assistant answers and the ``<|im_end|>``
    closing each (the reference's ChatML masking). When the last turn has
    no answer the generation prompt is appended instead, followed by the
    turn's ``answer_prefix`` if it has one (e.g. ``'Best Option: ('``), and
    all labels are ``IGNORE_INDEX``.

    Args:
        processor (str | dict): Model directory or processor builder config
            (:func:`~unipixel_mm.text.get_processor`).
    """

    def __init__(self, processor: Union[str, dict]) -> None:
        self.processor_cfg = processor
        self.processor = get_processor(processor)
        tokenizer = self.processor.tokenizer
        self.token_ids = {
            tok: tokenizer.convert_tokens_to_ids(tok)
            for tok in (REF_TOKEN, SEG_TOKEN, MEM_TOKEN)
        }

    def messages(self,
                 turns: Sequence[dict],
                 prefix: str = '',
                 with_video: bool = False,
                 entry: str = 'sample') -> Tuple[list, bool]:
        """The chat messages of ``turns`` and whether to prompt generation.

        Args:
            turns (Sequence[dict]): ``question`` and ``answer`` (None on the
                last turn to generate) per turn.
            prefix (str): Text before the first question.
            with_video (bool): Whether the first turn shows the video.
            entry (str): The sample's name in error messages.

        Returns:
            tuple[list[dict], bool]: The messages and whether the last turn
            has no answer.
        """
        messages = []
        for i, turn in enumerate(turns):
            question = turn['question']
            if i == 0:
                content = [dict(type='text', text=prefix + question)]
                if with_video:
                    content.insert(0, dict(type='video'))
                messages.append(dict(role='user', content=content))
            else:
                messages.append(dict(role='user', content=question))
            if turn.get('answer') is not None:
                messages.append(dict(role='assistant', content=turn['answer']))
            elif i != len(turns) - 1:
                raise ValueError(f'{entry}: turn {i} has no answer but is '
                                 'not the last')
        return messages, turns[-1].get('answer') is None

    def __call__(self,
                 turns: Sequence[dict],
                 video_grid_thw: Optional[torch.Tensor] = None,
                 prefix: str = '',
                 entry: str = 'sample',
                 frame_inds: Optional[Sequence[int]] = None,
                 second_per_grid_ts: Optional[float] = None,
                 strip: bool = True) -> Conversation:
        """Formats and tokenises a conversation.

        Args:
            turns (Sequence[dict]): See :meth:`messages`; the last turn may
                hold an ``answer_prefix``.
            video_grid_thw (Tensor, optional): (3,) the video's token grid;
                None for a text-only conversation.
            prefix (str): Text before the first question (the
                :func:`region_prefix` of mask prompts).
            entry (str): The sample's name in error messages.
            frame_inds (Sequence[int], optional): The frames the vision
                tokenizer saw and ``second_per_grid_ts`` their seconds per
                temporal group: the time stamps of a Qwen3-VL video (see
                :func:`~.qwen3_processor.expand_video_placeholder`).
            strip (bool): Strip the whitespace after the last answer's
                ``<|im_end|>`` (the reference's training data); False keeps
                the template's closing newline, as the reference's
                ``infer_pixelqa.py`` gives its answered first turn.

        Returns:
            Conversation: ids, labels and text.
        """
        messages, generate = self.messages(turns, prefix, video_grid_thw
                                           is not None, entry)
        text = self.processor.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=generate)
        if not generate:
            if strip:
                text = text.rstrip()
        else:
            text += turns[-1].get('answer_prefix') or ''
        expanded = text
        if video_grid_thw is not None:
            expanded = expand_video_placeholder(self.processor, text,
                                                video_grid_thw, frame_inds,
                                                second_per_grid_ts)
        enc = self.processor.tokenizer(
            expanded, return_offsets_mapping=True, return_attention_mask=False)
        input_ids = torch.tensor(enc['input_ids'], dtype=torch.long)
        supervised = torch.zeros_like(input_ids, dtype=torch.bool)
        if not generate:
            offsets = torch.tensor(enc['offset_mapping']).view(-1, 2)
            begin, end = offsets.unbind(dim=1)
            for lo, hi in assistant_spans(expanded):
                supervised |= (begin >= lo) & (end <= hi) & (end > begin)
        labels = input_ids.masked_fill(~supervised, IGNORE_INDEX)
        return Conversation(input_ids, labels, text, generate)

    def count_special_tokens(self, input_ids: torch.Tensor) -> Dict[str, int]:
        """How many ``<|ref|>``, ``<|seg|>`` and ``<|mem|>`` ``input_ids``
        hold, by token."""
        return {
            tok: int((input_ids == tok_id).sum())
            for tok, tok_id in self.token_ids.items()
        }

    def follow_up(self,
                  question: str,
                  oids: Sequence[str],
                  prompt_masks: torch.Tensor,
                  video_grid_thw: torch.Tensor,
                  num_frames: int,
                  answer_prefix: Optional[str] = None,
                  entry: str = 'sample',
                  second_per_grid_ts: Optional[float] = None) -> torch.Tensor:
        """The PixelQA follow-up prompt: a question about objects ``[oid]``
        whose masks are its mask prompts, formatted as the data pipeline
        formats a mask-prompted question.

        Args:
            question (str): The follow-up question.
            oids (Sequence[str]): The objects' ids, one per mask.
            prompt_masks (Tensor): (grid_t, O, h, w) bool on the token grid.
            video_grid_thw (Tensor): (3,) the video's token grid.
            num_frames (int): Frames of the video.
            answer_prefix (str, optional): Text the answer starts with.
            entry (str): The sample's name in error messages.
            second_per_grid_ts (float, optional): Seconds per temporal group
                of the video (its time stamps under Qwen3-VL).

        Returns:
            Tensor: (L,) long, the prompt ending with the generation prompt.
        """
        turn = dict(question=question, answer=None,
                    answer_prefix=answer_prefix)
        prefix = region_prefix(num_frames, prompt_masks, oids)
        conv = self([turn], video_grid_thw, prefix, entry,
                    second_per_grid_ts=second_per_grid_ts)
        found = self.count_special_tokens(conv.input_ids)[MEM_TOKEN]
        expected = int(prompt_masks.flatten(2).any(dim=2).sum())
        if found != expected:
            raise ValueError(f'{entry}: {found} {MEM_TOKEN} token(s) in the '
                             f'follow-up, {expected} expected')
        return conv.input_ids
