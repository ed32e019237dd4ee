"""Generation: prefill, the KV-cache decoding loop, samplers and the mask
decoding of the ``<|seg|>`` objects of an answer.

The functions take the assembled model (:class:`~unipixel_mm.models.UniPixel`)
and use its ``prefill`` (embedding + one LLM pass), ``llm`` and
``mask_decoder``; the model's ``generate`` calls :func:`generate`.
"""
import logging
from dataclasses import dataclass
from typing import List, Optional, Sequence

import torch
from mmengine.logging import print_log
from torch import nn
from tqdm import tqdm
from transformers.generation.logits_process import (LogitsProcessorList,
                                                    TemperatureLogitsWarper,
                                                    TopKLogitsWarper,
                                                    TopPLogitsWarper)

from unipixel_mm.structures import PixelDataSample

SampleList = Optional[Sequence[PixelDataSample]]


@dataclass
class GenerationResult:
    """Generation of one sample.

    Attributes:
        ids (Tensor): (N,) generated token ids (without the prompt).
        masks (Tensor): (S, T, H, W) bool, one masklet per ``<|seg|>`` token
            of the prompt and of the answer, in text order.
        mask_scores (Tensor): (S, T) object-presence logits.
        prompt_ids (Tensor, optional): (L,) the prompt of the answer when
            the model wrote it (the follow-up of a memory turn).
        seg_prompts (Tensor, optional): (S, K, C) the SAM2 prompt tokens of
            the ``<|seg|>`` tokens (set whenever there are any, with or
            without mask decoding; a streaming tracker reads them).
    """
    ids: torch.Tensor
    masks: torch.Tensor
    mask_scores: torch.Tensor
    prompt_ids: Optional[torch.Tensor] = None
    seg_prompts: Optional[torch.Tensor] = None


def logits_warpers(do_sample: bool, temperature: float, top_k: int,
                   top_p: float) -> LogitsProcessorList:
    warpers = LogitsProcessorList()
    if do_sample:
        if temperature != 1.0:
            warpers.append(TemperatureLogitsWarper(temperature))
        if top_k > 0:
            warpers.append(TopKLogitsWarper(top_k))
        if top_p < 1.0:
            warpers.append(TopPLogitsWarper(top_p))
    return warpers


def next_token(logits: torch.Tensor, do_sample: bool) -> torch.Tensor:
    """(B, V) warped logits -> (B,) the next tokens, sampled or greedy."""
    if do_sample:
        return torch.multinomial(logits.softmax(-1), 1)[:, 0]
    return logits.argmax(-1)


def _clamp_new_tokens(model: nn.Module, max_new_tokens: int,
                      next_positions: torch.Tensor) -> int:
    """``max_new_tokens`` within the model's positions (with a warning)."""
    limit = model.llm.config.max_position_embeddings
    room = limit - int(next_positions.max())
    if max_new_tokens <= room:
        return max_new_tokens
    print_log(
        f'max_new_tokens={max_new_tokens} would pass the model\'s {limit} '
        f'positions: generating at most {room} tokens',
        logger='current',
        level=logging.WARNING)
    return room


def _cached_step(model: nn.Module, out, token: torch.Tensor,
                 mask: torch.Tensor, rope_deltas: torch.Tensor):
    """One decoding step over the KV cache of ``out``: (B,) tokens -> the
    LLM outputs at the next position."""
    past = out.past_key_values
    position = (past.get_seq_length() + rope_deltas).view(1, -1, 1)
    return model.llm(
        model.llm.embed_tokens(token[:, None]),
        mask,
        position.expand(3, -1, -1),
        past_key_values=past,
        use_cache=True)


def _attention_mask(inputs: dict) -> torch.Tensor:
    """(B, L) the prompts' attention mask, all ones when not given.

    Raises:
        ValueError: When a batch of prompts is not left-padded.
    """
    ids = inputs['input_ids']
    mask = inputs.get('attention_mask')
    if mask is None:
        mask = torch.ones_like(ids)
    if ids.size(0) > 1 and (mask[:, -1] == 0).any():
        raise ValueError('Batched generation needs left padding')
    return mask


def _next_outputs(model: nn.Module, out, inputs: dict,
                  data_samples: SampleList, generated: List[List[int]],
                  token: torch.Tensor, mask: torch.Tensor,
                  rope_deltas: torch.Tensor, use_cache: bool):
    """The LLM outputs at the position after the ``generated`` tokens (B
    lists of N ids, the last one ``token`` (B,)): one step over the KV
    cache, or without a cache the whole sequence again, vision encoder
    included."""
    if use_cache:
        return _cached_step(model, out, token, mask, rope_deltas)
    ids = inputs['input_ids']
    sequence = torch.cat([ids, ids.new_tensor(generated)], 1)
    out, _ = model.prefill(
        dict(inputs, input_ids=sequence, attention_mask=mask),
        data_samples,
        logits_to_keep=1)
    return out


@torch.no_grad()
def generate(model: nn.Module,
             inputs: dict,
             data_samples: SampleList = None,
             max_new_tokens: int = 128,
             do_sample: bool = False,
             temperature: float = 1.0,
             top_k: int = 0,
             top_p: float = 1.0,
             decode_masks: bool = True,
             batch_objects: bool = True,
             use_cache: bool = True,
             progress: bool = False) -> List[GenerationResult]:
    """Greedy or sampled decoding with a KV cache, then one mask-decoding
    pass per sample for all its ``<|seg|>`` tokens.

    ``model`` is a :class:`~unipixel_mm.models.UniPixel`: this reads its
    ``prefill``, ``llm``, ``mask_decoder`` and token ids.

    A ``<|seg|>`` token's prompt comes from the pre-norm hidden state of
    the position that predicts it, in the prompt or in the answer.
    Batched prompts must be left-padded.

    Args:
        model (UniPixel): the model.
        inputs (dict): batch of the data preprocessor.
        data_samples (list[PixelDataSample], optional): prompts and the
            ``frame_size`` metainfo (defaults to the SAM2 frame size).
        max_new_tokens (int): maximum number of generated tokens.
        do_sample (bool): sample instead of greedy decoding.
        temperature, top_k, top_p: sampling options.
        decode_masks (bool): run the mask decoder.
        batch_objects (bool): track a sample's objects as one batch.
        use_cache (bool): reuse keys and values of earlier positions;
            without it every step runs the whole sequence again, vision
            encoder included (the baseline of the benchmarks).
        progress (bool): show progress bars over the generated tokens
            and the frames of mask propagation.

    Returns:
        list[GenerationResult]: one per sample.
    """
    ids = inputs['input_ids']
    batch_size = ids.size(0)
    mask = _attention_mask(inputs)
    out, rope_deltas = model.prefill(
        dict(inputs, attention_mask=mask),
        data_samples,
        use_cache=use_cache and max_new_tokens > 0,
        logits_to_keep=1)
    max_new_tokens = _clamp_new_tokens(model, max_new_tokens,
                                       ids.size(1) + rope_deltas)
    # the prompt's <|seg|> tokens, then those generated
    seg_hidden = [[
        out.hidden_states[b, p] for p in model._seg_positions(ids[b])
    ] for b in range(batch_size)]
    warpers = logits_warpers(do_sample, temperature, top_k, top_p)
    # host-side bookkeeping: one transfer of the new tokens per step
    generated: List[List[int]] = [[] for _ in range(batch_size)]
    finished = [False] * batch_size
    eos = set(model.eos_token_ids)
    # each step's attention mask is a view of one buffer
    length = mask.size(1)
    mask = torch.cat([mask, mask.new_ones(batch_size, max_new_tokens)], 1)
    steps = tqdm(range(max_new_tokens), desc='decoding', disable=not progress)
    for step in steps:
        scores = out.logits[:, -1].float()
        if warpers:
            scores = warpers(
                torch.cat([ids, ids.new_tensor(generated)], 1), scores)
        token = next_token(scores, do_sample)
        values = token.tolist()
        padded = False
        for b, value in enumerate(values):
            if finished[b]:
                values[b], padded = model.pad_token_id, True
                continue
            if value == model.seg_token_id:
                seg_hidden[b].append(out.hidden_states[b, -1])
            finished[b] = value in eos
        for row, value in zip(generated, values):
            row.append(value)
        if all(finished) or step == max_new_tokens - 1:
            break
        if padded:
            token = token.new_tensor(values)
        length += 1
        out = _next_outputs(model, out, inputs, data_samples, generated,
                            token, mask[:, :length], rope_deltas, use_cache)
    steps.close()
    generated = ids.new_tensor(generated)  # (B, N)
    return [
        _decode_result(model, b, inputs, data_samples, generated[b],
                       seg_hidden[b], decode_masks, batch_objects, progress)
        for b in range(batch_size)
    ]


def _decode_result(model: nn.Module, b: int, inputs: dict,
                   data_samples: SampleList, ids: torch.Tensor,
                   hidden: List[torch.Tensor], decode_masks: bool,
                   batch_objects: bool, progress: bool) -> GenerationResult:
    frames = (inputs.get('frames') or [None] * (b + 1))[b]
    num_frames, size = 0, (0, 0)
    if frames is not None:
        num_frames, size = frames.size(0), tuple(frames.shape[-2:])
        if data_samples is not None:
            size = data_samples[b].metainfo.get('frame_size', size)
    prompts = model.llm.seg_prompts(torch.stack(hidden)) \
        if hidden and model.mask_decoder is not None else None
    if not (decode_masks and prompts is not None and frames is not None):
        return GenerationResult(
            ids,
            torch.zeros(0, num_frames, *size, dtype=torch.bool),
            torch.zeros(0, num_frames),
            seg_prompts=prompts)
    masks, scores = model.mask_decoder.predict(
        frames, prompts, size, batch_objects=batch_objects, progress=progress)
    return GenerationResult(ids, masks, scores, seg_prompts=prompts)
