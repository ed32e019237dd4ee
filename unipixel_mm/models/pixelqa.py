"""PixelQA: segment the objects of a question, remember them, then answer.

Two passes of :func:`~unipixel_mm.models.generation.generate`: the first
segments and tracks the ``<|seg|>`` objects of the given conversation, the
second answers a follow-up question whose mask prompts (``<|mem|>``) are
those masks, formatted by the model's
:class:`~unipixel_mm.text.ConversationFormatter`.
"""
from typing import List, Optional, Sequence, Tuple

import torch
from torch import nn

from unipixel_mm.structures import PixelDataSample
from unipixel_mm.text import ConversationFormatter, masks_to_token_grid
from .data_preprocessor import pad_sequences
from .generation import GenerationResult


@torch.no_grad()
def generate_answers(model: nn.Module,
                     inputs: dict,
                     data_samples: Sequence[PixelDataSample],
                     formatter: Optional[ConversationFormatter] = None,
                     **generation) -> List[GenerationResult]:
    """Answers a batch: in two passes (:func:`generate_memory_turns`) when
    its samples have a ``memory_turn`` (PixelQA), else in one
    (``model.generate`` with ``generation``). Both call the model's own
    ``generate``, so a subclass or a hook on it sees every pass.

    Raises:
        ValueError: When a batch mixes the two kinds of samples.
    """
    with_memory = [s.get('memory_turn') is not None for s in data_samples]
    if not any(with_memory):
        return model.generate(inputs, data_samples, **generation)
    if not all(with_memory):
        raise ValueError(
            'A batch mixes samples with a memory_turn (PixelQA) and '
            'samples without; batch them separately')
    return generate_memory_turns(model, inputs, data_samples, formatter,
                                 **generation)


@torch.no_grad()
def generate_memory_turns(model: nn.Module,
                          inputs: dict,
                          data_samples: Sequence[PixelDataSample],
                          formatter: Optional[ConversationFormatter] = None,
                          **generation) -> List[GenerationResult]:
    """Segment, remember, then answer (PixelQA).

    1. The given conversation (its answer holds one ``<|seg|>`` per
       object, e.g. ``[0] <|seg|> [1] <|seg|>``) is read once and its
       ``<|seg|>`` objects are segmented and tracked through the frames.
    2. The masks become mask prompts (``<|mem|>`` tokens; an object
       found on no frame is prompted with the whole frame, as the
       reference does) of the follow-up ``memory_turn['question']``
       about objects ``[oid]``, which is answered with
       ``generation_cfg`` updated by ``generation``. The visual tokens
       are computed once.

    Needs a ``formatter`` or the model's ``processor`` (to write the
    follow-up prompt) and a memory bank.

    Args:
        inputs (dict): The batch of the data preprocessor.
        data_samples (Sequence[PixelDataSample]): Samples with
            ``memory_turn = dict(question, oids, answer_prefix=None)``.
        formatter (ConversationFormatter, optional): Writes the follow-up
            prompts; the model's ``text_formatter`` by default.
        **generation: Options of :meth:`generate` for the answers.

    Returns:
        list[GenerationResult]: per sample, the answer's ids, the masks
        and scores of the first pass's objects followed by those of any
        ``<|seg|>`` of the answer, and the follow-up prompt's ids
        (``prompt_ids``).
    """
    if formatter is None and model.processor_cfg is not None:
        formatter = model.text_formatter
    if formatter is None or model.memory_bank is None:
        raise ValueError('Answering a memory_turn needs a formatter or the '
                         'processor option, and a memory bank')
    options = dict(model.generation_cfg, **generation)
    inputs = dict(inputs, vision_cache={})
    # through the model's own generate (a subclass may change it)
    first = model.generate(inputs, data_samples,
                           **dict(options, max_new_tokens=0))
    follow_inputs, follow_samples = memory_turn_inputs(
        model, inputs, data_samples, [r.masks for r in first], formatter)
    answers = model.generate(follow_inputs, follow_samples, **options)
    return [
        GenerationResult(
            ans.ids,
            torch.cat([seg.masks, ans.masks]),
            torch.cat([seg.mask_scores, ans.mask_scores]),
            prompt_ids=follow_inputs['input_ids'][b][
                follow_inputs['attention_mask'][b].bool()])
        for b, (seg, ans) in enumerate(zip(first, answers))
    ]


def memory_turn_inputs(
    model: nn.Module,
    inputs: dict,
    data_samples: Sequence[PixelDataSample],
    masks: Sequence[torch.Tensor],
    formatter: Optional[ConversationFormatter] = None
) -> Tuple[dict, List[PixelDataSample]]:
    """The batch of the follow-up questions, with ``masks`` as their
    mask prompts (step 2 of :meth:`generate_memory_turns`).

    Args:
        inputs (dict): The batch of the first pass (videos).
        data_samples (Sequence[PixelDataSample]): Its samples, with
            ``memory_turn``.
        masks (Sequence[Tensor]): Per sample (O, T, H, W) bool, one
            masklet per object of ``memory_turn['oids']``.
        formatter (ConversationFormatter, optional): Writes the follow-up
            prompts; the model's ``text_formatter`` by default.

    Returns:
        tuple[dict, list[PixelDataSample]]: The left-padded batch (the
        same visual inputs) and samples holding the mask prompts.
    """
    formatter = formatter or model.text_formatter
    ids = inputs['input_ids']
    rows = [
        b for b in range(ids.size(0))
        if (ids[b] == model.video_token_id).any()
    ]
    vision = model.vision_tokenizer
    seqs, samples = [], []
    for b, (sample, objs) in enumerate(zip(data_samples, masks)):
        turn = sample.memory_turn
        oids = [str(o) for o in turn['oids']]
        if b not in rows:
            raise ValueError(f'Sample {b} has a memory_turn but no video')
        if objs.size(0) != len(oids):
            raise ValueError(
                f'Sample {b}: the first pass segmented {objs.size(0)} '
                f'<|seg|> object(s) but the memory_turn names '
                f'{len(oids)} ({oids})')
        objs = objs.clone()
        objs[~objs.flatten(1).any(dim=1)] = True
        grid_thw = inputs['video_grid_thw'][rows.index(b)]
        # the frames' times (Qwen3-VL writes them into the text)
        seconds = inputs.get('second_per_grid_ts')
        seconds = None if seconds is None else float(seconds[rows.index(b)])
        prompt_masks = masks_to_token_grid(
            objs.transpose(0, 1).cpu(), grid_thw.tolist(),
            vision.config.patch_size, vision.merge_size,
            vision.temporal_patch_size)
        follow_ids = formatter.follow_up(
            turn['question'],
            oids,
            prompt_masks,
            grid_thw.cpu(),
            objs.size(1),
            answer_prefix=turn.get('answer_prefix'),
            entry=sample.metainfo.get('entry', f'sample {b}'),
            second_per_grid_ts=seconds)
        seqs.append(follow_ids.to(ids.device))
        follow = PixelDataSample(metainfo=sample.metainfo)
        follow.prompt_masks = prompt_masks.to(ids.device)
        samples.append(follow)
    follow_inputs = {
        k: v
        for k, v in inputs.items()
        if k not in ('input_ids', 'attention_mask', 'labels')
    }
    follow_inputs['input_ids'] = pad_sequences(seqs, model.pad_token_id,
                                               'left')
    follow_inputs['attention_mask'] = pad_sequences(
        [torch.ones_like(s) for s in seqs], 0, 'left')
    return follow_inputs, samples
