"""UniPixel: a Qwen2.5-VL LLM that refers to and segments objects with SAM2."""
import logging
import random
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModel
from tqdm import tqdm
from transformers.cache_utils import DynamicCache
from transformers.generation.logits_process import (LogitsProcessorList,
                                                    TemperatureLogitsWarper,
                                                    TopKLogitsWarper,
                                                    TopPLogitsWarper)

from unipixel_mm.datasets.tokenizer import get_processor
from unipixel_mm.datasets.transforms import FormatConversation
from unipixel_mm.datasets.transforms.processing import masks_to_token_grid
from unipixel_mm.registry import MODELS
from unipixel_mm.structures import PixelDataSample
from .data_preprocessor import pad_sequences
from .llm.qwen_llm_head import LLMOutput
from .utils.dtype import resolve_dtype
from .utils.finetune import (add_lora, enable_gradient_checkpointing,
                             load_partial_checkpoints, set_trainable)
from .utils.precision import apply_precision
from .utils.weight_names import checkpoint_weight_names

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


@MODELS.register_module()
class UniPixel(BaseModel):
    """UniPixel assembled from five replaceable components.

    - ``vision_tokenizer``: images / videos -> merged visual tokens (and the
      features the memory bank pools from);
    - ``prompt_encoder``: point / box prompts -> one ``<|ref|>`` embedding
      per object;
    - ``memory_bank``: mask prompts -> ``<|mem|>`` embeddings;
    - ``llm``: the language model, lm_head and the segmentation head that
      turns the hidden state predicting a ``<|seg|>`` into SAM2 prompts;
    - ``mask_decoder``: SAM2, which segments and tracks each ``<|seg|>``
      object through the frames.

    Widths shared by components (LLM width, SAM2 prompt width, SAM2 frame
    size, pooled feature width) are filled in from the built components
    unless a config sets them.

    Args:
        vision_tokenizer (dict): config of the vision tokenizer.
        llm (dict): config of the LLM head.
        prompt_encoder (dict, optional): config of the prompt encoder.
        memory_bank (dict, optional): config of the object memory bank.
        mask_decoder (dict, optional): config of the mask decoder.
        mask_loss (dict): config of the masklet loss.
        image_token_id, video_token_id, vision_start_token_id (int): ids of
            Qwen2.5-VL's ``<|image_pad|>``, ``<|video_pad|>`` and
            ``<|vision_start|>``.
        ref_token_id, seg_token_id, mem_token_id (int): ids of ``<|ref|>``,
            ``<|seg|>`` and ``<|mem|>``.
        eos_token_id (int | list[int]): id(s) that end generation.
        pad_token_id (int): id written after a sequence ended.
        sample_objects (int): in training, supervise at most this many random
            ``<|seg|>`` objects per sample (-1: all).
        generation_cfg (dict): default ``generate`` options of ``predict``.
        tokenizer (str | dict, optional): processor directory or builder
            config (see ``unipixel_mm.datasets.tokenizer.get_processor``);
            with it ``predict`` decodes answers into ``pred_text``. Loaded
            on first use.
        train_cfg (dict, optional): what trains, as the reference's
            ``train.py`` sets it up (all parameters train when None):

            - ``trainable`` (list[str]): prefixes of the parameter names
              that train, e.g. ``['prompt_encoder', 'llm.seg_head']``; the
              rest is frozen;
            - ``lora`` (dict, optional): LoRA adapters (trained) with the
              arguments of :func:`~unipixel_mm.models.utils.finetune.
              add_lora`: ``r``, ``alpha``, ``dropout``, ``target``;
            - ``gradient_checkpointing`` (bool): of the LLM and the ViT.
        partial_checkpoints (Sequence[str]): checkpoints that
            ``init_weights`` loads, in order, over the pretrained weights:
            ``.pth`` files of all or part of the parameters (earlier
            stages' trainable ones) or official UniPixel directories.
        precision (str): which parts follow the model's dtype:
            ``'sam2_float32'`` (default; the SAM2 mask decoder and point / box
            prompt encoder stay float32 when the model is cast) or
            ``'reference'`` (the whole model in one dtype, SAM2 included, as
            the reference runs the official bfloat16 checkpoints and as its
            published numbers were made). Official checkpoints are built with
            ``'reference'`` (see ``build_from_official``).
        dtype (str, optional): cast the built model to this dtype
            (``'bfloat16'``...), as ``precision`` says; None keeps the
            components' own dtypes.
        data_preprocessor (dict, optional): config of the data preprocessor.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 vision_tokenizer: dict,
                 llm: dict,
                 prompt_encoder: Optional[dict] = None,
                 memory_bank: Optional[dict] = None,
                 mask_decoder: Optional[dict] = None,
                 mask_loss: dict = dict(type='MultiStepMaskLoss'),
                 image_token_id: int = 151655,
                 video_token_id: int = 151656,
                 vision_start_token_id: int = 151652,
                 ref_token_id: int = 151665,
                 seg_token_id: int = 151666,
                 mem_token_id: int = 151667,
                 eos_token_id: Union[int, List[int]] = 151645,
                 pad_token_id: int = 151643,
                 sample_objects: int = -1,
                 generation_cfg: Optional[dict] = None,
                 tokenizer: Optional[Union[str, dict]] = None,
                 train_cfg: Optional[dict] = None,
                 partial_checkpoints: Sequence[str] = (),
                 precision: str = 'sam2_float32',
                 dtype: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='UniPixelDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(
                dict(dict(pad_token_id=pad_token_id), **data_preprocessor))
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.image_token_id = image_token_id
        self.video_token_id = video_token_id
        self.ref_token_id = ref_token_id
        self.seg_token_id = seg_token_id
        self.mem_token_id = mem_token_id
        self.eos_token_ids = [eos_token_id] if isinstance(
            eos_token_id, int) else list(eos_token_id)
        self.pad_token_id = pad_token_id
        self.sample_objects = sample_objects
        self.generation_cfg = dict(max_new_tokens=0)
        self.generation_cfg.update(generation_cfg or {})
        self.tokenizer_cfg = tokenizer
        self._memory_formatter = None

        self.mask_decoder = MODELS.build(
            mask_decoder) if mask_decoder else None
        self.mask_loss = MODELS.build(mask_loss) if mask_decoder else None
        self.vision_tokenizer = MODELS.build(vision_tokenizer)
        vision = self.vision_tokenizer
        llm = dict(
            llm,
            image_token_id=image_token_id,
            video_token_id=video_token_id,
            vision_start_token_id=vision_start_token_id)
        llm.setdefault('spatial_merge_size', vision.merge_size)
        # Qwen3-VL writes time stamps as text instead
        if hasattr(vision.config, 'tokens_per_second'):
            llm.setdefault('tokens_per_second',
                           vision.config.tokens_per_second)
        if self.mask_decoder is not None:
            llm.setdefault('seg_embed_dim', self.mask_decoder.embed_dim)
        self.llm = MODELS.build(llm)
        if vision.embed_dim != self.llm.embed_dim:
            raise ValueError(
                f'The vision tokenizer gives {vision.embed_dim}-d tokens but '
                f'the LLM is {self.llm.embed_dim}-d')

        self.prompt_encoder = None
        if prompt_encoder:
            if self.mask_decoder is None:
                raise ValueError('A prompt encoder needs a mask decoder (it '
                                 'shares the SAM2 frame and prompt width)')
            prompt_encoder = dict(prompt_encoder)
            prompt_encoder.setdefault('embed_dim', self.mask_decoder.embed_dim)
            prompt_encoder.setdefault('llm_dim', self.llm.embed_dim)
            prompt_encoder.setdefault('image_size',
                                      self.mask_decoder.image_size)
            prompt_encoder.setdefault('feat_size', self.mask_decoder.feat_size)
            self.prompt_encoder = MODELS.build(prompt_encoder)
        self.memory_bank = None
        if memory_bank:
            memory_bank = dict(memory_bank)
            memory_bank.setdefault('in_dim', vision.pool_dim)
            memory_bank.setdefault('embed_dim', self.llm.embed_dim)
            self.memory_bank = MODELS.build(memory_bank)
        self.partial_checkpoints = list(partial_checkpoints)
        if train_cfg is not None:
            self._setup_training(**train_cfg)
        self.precision = precision
        apply_precision(self, precision)
        if dtype is not None:
            self.to(resolve_dtype(dtype))

    def _setup_training(self,
                        trainable: Sequence[str] = (),
                        lora: Optional[dict] = None,
                        gradient_checkpointing: bool = False) -> None:
        """Adds LoRA adapters, freezes all but ``trainable`` and the
        adapters, and turns on gradient checkpointing (see ``train_cfg``).
        """
        if lora is not None:
            add_lora(self, **lora)
        set_trainable(self, trainable)
        if gradient_checkpointing:
            enable_gradient_checkpointing(self)

    def pretrained_weight_names(self) -> Set[str]:
        """The state-dict names that :meth:`init_weights` fills from files:
        the components' pretrained weights and ``partial_checkpoints``."""
        names = set()
        for name, child in self.named_children():
            if hasattr(child, 'pretrained_weight_names'):
                names |= {
                    f'{name}.{k}'
                    for k in child.pretrained_weight_names()
                }
        for path in self.partial_checkpoints:
            names |= checkpoint_weight_names(self, path)
        return names

    @torch.no_grad()
    def init_weights(self) -> None:
        """Initialise the components, then the new modules as the reference
        does: the ``<|ref|>`` prompt encoder's SAM prompt encoder starts as a
        copy of SAM2's and the memory bank's projection as a copy of the
        vision merger's MLP (parameters only)."""
        super().init_weights()
        pairs = []
        if self.prompt_encoder is not None:
            pairs.append((self.prompt_encoder.sam_prompt_encoder,
                          self.mask_decoder.sam2.sam_prompt_encoder))
        if self.memory_bank is not None:
            pairs.append((self.memory_bank.proj,
                          self.vision_tokenizer.pool_projection))
        for target, source in pairs:
            for dst, src in zip(target.parameters(), source.parameters()):
                if dst.shape == src.shape:
                    dst.copy_(src)
        load_partial_checkpoints(self, self.partial_checkpoints)

    # ------------------------------------------------------------------ #
    # embedding the multimodal prompt
    # ------------------------------------------------------------------ #
    def _count(self, ids: torch.Tensor, token_id: int) -> int:
        return int((ids == token_id).sum())

    def _embed_visual(self,
                      inputs: dict,
                      embeds: torch.Tensor,
                      llm_visual: Optional[dict] = None) -> list:
        """Write visual tokens into ``embeds``; return each sample's
        (pool features, grid_thw) or None.

        A vision tokenizer with DeepStack features (Qwen3-VL) also fills
        ``llm_visual`` with ``visual_mask`` (B, L) and ``deepstack``
        (S, B, L, D), the LLM head's inputs for its early layers.

        When ``inputs`` holds a dict ``vision_cache``, the vision tokenizer's
        outputs are kept there and reused by later calls with the same
        pixels (the two passes of a PixelQA sample).
        """
        ids = inputs['input_ids']
        cache = inputs.get('vision_cache')
        items: list = [None] * ids.size(0)
        for pixels, grid, token_id, name in (
            ('pixel_values', 'image_grid_thw', self.image_token_id,
             '<|image_pad|>'),
            ('pixel_values_videos', 'video_grid_thw', self.video_token_id,
             '<|video_pad|>'),
        ):
            rows = [
                b for b in range(ids.size(0)) if (ids[b] == token_id).any()
            ]
            if inputs.get(pixels) is None:
                if rows:
                    raise ValueError(f'The text has {name} tokens but the '
                                     f'inputs have no "{pixels}"')
                continue
            if cache is not None and pixels in cache:
                tokens = cache[pixels]
            else:
                tokens = self.vision_tokenizer(inputs[pixels], inputs[grid])
                if cache is not None:
                    cache[pixels] = tokens
            if len(rows) != len(tokens.embeds):
                raise ValueError(
                    f'{len(tokens.embeds)} visual inputs in "{pixels}" but '
                    f'{len(rows)} samples with {name} tokens')
            for b, emb, feat, thw in zip(rows, tokens.embeds,
                                         tokens.pool_features,
                                         tokens.grid_thw):
                pos = ids[b] == token_id
                if int(pos.sum()) != emb.size(0):
                    raise ValueError(
                        f'Sample {b} has {int(pos.sum())} {name} tokens but '
                        f'its visual input gives {emb.size(0)} tokens')
                embeds[b, pos] = emb.to(embeds.dtype)
                items[b] = (feat, thw)
                levels = getattr(tokens, 'deepstack', None)
                if levels is not None and llm_visual is not None:
                    self._place_deepstack(llm_visual, ids, embeds, b, pos,
                                          levels[rows.index(b)])
        return items

    def _place_deepstack(self, llm_visual: dict, ids: torch.Tensor,
                         embeds: torch.Tensor, b: int, pos: torch.Tensor,
                         levels: torch.Tensor) -> None:
        """Write one item's (S, N, D) DeepStack features at its visual
        positions ``pos`` of sample ``b`` in ``llm_visual['deepstack']``."""
        if 'deepstack' not in llm_visual:
            llm_visual['visual_mask'] = torch.isin(
                ids, ids.new_tensor([self.image_token_id,
                                     self.video_token_id]))
            llm_visual['deepstack'] = embeds.new_zeros(
                levels.size(0), *embeds.shape)
        llm_visual['deepstack'][:, b, pos] = levels.to(embeds.dtype)

    def _embed_prompts(self, ids: torch.Tensor, embeds: torch.Tensor,
                       items: list, data_samples: Sequence) -> None:
        """Write ``<|ref|>`` and ``<|mem|>`` embeddings into ``embeds``."""
        merge = self.vision_tokenizer.merge_size
        t_patch = self.vision_tokenizer.temporal_patch_size
        for b, sample in enumerate(data_samples):
            coords = sample.get('prompt_coords', None) or []
            num_ref = self._count(ids[b], self.ref_token_id)
            if num_ref != len(coords):
                raise ValueError(f'Sample {b} has {num_ref} <|ref|> tokens '
                                 f'but {len(coords)} point/box prompts')
            masks = sample.get('prompt_masks', None)
            if masks is not None and masks.dim() == 4 and masks.size(1) == 0:
                masks = None  # packed samples always carry the field
            num_mem = self._count(ids[b], self.mem_token_id)
            need_mem = 0 if masks is None else \
                self.memory_bank.num_tokens(masks) if self.memory_bank else -1
            if need_mem < 0:
                raise ValueError(f'Sample {b} has mask prompts but the model '
                                 'has no memory bank')
            if num_mem != need_mem:
                raise ValueError(
                    f'Sample {b} has {num_mem} <|mem|> tokens but its mask '
                    f'prompts need {need_mem} (one per object per temporal '
                    'group where the object is present)')
            if not (num_ref or num_mem):
                continue
            if items[b] is None:
                raise ValueError(f'Sample {b} has visual prompts but no '
                                 'image or video')
            features, thw = items[b]
            if num_ref:
                if self.prompt_encoder is None:
                    raise ValueError('The model has no prompt encoder for '
                                     f'the <|ref|> prompts of sample {b}')
                frames = torch.as_tensor(sample.prompt_frames).view(-1)
                ref = self.prompt_encoder(coords, sample.prompt_labels, frames,
                                          int(thw[0]) * t_patch)
                embeds[b, ids[b] == self.ref_token_id] = ref.to(embeds.dtype)
            if num_mem:
                grid = (int(thw[0]), int(thw[1]) // merge,
                        int(thw[2]) // merge)
                got = (masks.size(0), *masks.shape[2:]) \
                    if masks.dim() == 4 else tuple(masks.shape)
                if tuple(got) != grid:
                    raise ValueError(
                        f'Mask prompt of sample {b} has (groups, h, w) = '
                        f'{tuple(got)} but the visual token grid is {grid}')
                mem = self.memory_bank(features, masks)
                embeds[b, ids[b] == self.mem_token_id] = mem.to(embeds.dtype)

    def embed_inputs(
            self,
            inputs: dict,
            data_samples: SampleList = None,
            llm_visual: Optional[dict] = None) -> Tuple[torch.Tensor, list]:
        """Embed text, visual tokens and visual prompts.

        Args:
            inputs (dict): the batch of the data preprocessor.
            data_samples (list[PixelDataSample], optional): per-sample prompts.
            llm_visual (dict, optional): filled with the visual features the
                LLM head takes in its layers (DeepStack), if any.

        Returns:
            tuple[Tensor, list]: (B, L, D) embeddings and, per sample, its
            visual (pool features, grid_thw) or None.
        """
        ids = inputs['input_ids']
        if data_samples is None:
            data_samples = [PixelDataSample() for _ in range(ids.size(0))]
        embeds = self.llm.embed_tokens(ids).clone()
        items = self._embed_visual(inputs, embeds, llm_visual)
        self._embed_prompts(ids, embeds, items, data_samples)
        return embeds, items

    def _prefill(self,
                 inputs: dict,
                 data_samples: SampleList,
                 use_cache: bool = False,
                 logits_to_keep: int = 0) -> Tuple[LLMOutput, torch.Tensor]:
        llm_visual: dict = {}
        embeds, _ = self.embed_inputs(inputs, data_samples, llm_visual)
        if self.training and not embeds.requires_grad:
            # keeps gradient checkpointing alive when embeddings are frozen
            embeds.requires_grad_(True)
        positions, rope_deltas = self.llm.rope_index(
            inputs['input_ids'], inputs.get('attention_mask'),
            inputs.get('image_grid_thw'), inputs.get('video_grid_thw'),
            inputs.get('second_per_grid_ts'))
        limit = self.llm.config.max_position_embeddings
        if int(positions.max()) >= limit:
            raise ValueError(
                f'the prompt reaches position {int(positions.max()) + 1} '
                f'({inputs["input_ids"].size(1)} tokens), past the '
                f'{limit} positions of the model: shorten the text or use '
                'fewer frames / pixels')
        out = self.llm(
            embeds,
            inputs.get('attention_mask'),
            positions,
            past_key_values=DynamicCache() if use_cache else None,
            use_cache=use_cache,
            logits_to_keep=logits_to_keep,
            **llm_visual)
        return out, rope_deltas

    def _seg_positions(self, ids: torch.Tensor) -> torch.Tensor:
        """Positions whose hidden state predicts a ``<|seg|>`` token."""
        return torch.nonzero(ids[1:] == self.seg_token_id)[:, 0]

    # ------------------------------------------------------------------ #
    # mmengine interface
    # ------------------------------------------------------------------ #
    def forward(self,
                inputs: dict,
                data_samples: SampleList = None,
                mode: str = 'tensor'):
        """Dispatch to ``loss``, ``predict`` or ``tensor`` (logits)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._prefill(inputs, data_samples)[0].logits
        raise RuntimeError(f'Invalid mode "{mode}"; UniPixel supports '
                           '"loss", "predict" and "tensor"')

    def loss(self,
             inputs: dict,
             data_samples: SampleList = None) -> Dict[str, torch.Tensor]:
        """Language-model loss plus the masklet loss of ``<|seg|>`` objects.

        Every ``<|seg|>`` token of a sample with ``gt_masks`` is decoded by
        the mask decoder from the hidden state that predicts it and
        supervised with its target masklet; the masklet terms are averaged
        over frames and over the samples that have targets.
        """
        if 'labels' not in inputs:
            raise KeyError('mode="loss" needs "labels" in the inputs')
        out, _ = self._prefill(inputs, data_samples)
        losses = dict(loss_lm=self.llm.lm_loss(out.logits, inputs['labels']))
        seg_terms: Dict[str, torch.Tensor] = {}
        num_seg = 0
        for b, sample in enumerate(data_samples or []):
            targets = sample.get('gt_masks', None)
            if targets is None or (targets.size(1) == 0
                                   and not (inputs['input_ids'][b]
                                            == self.seg_token_id).any()):
                continue
            terms = self._seg_loss(b, inputs, sample, out.hidden_states[b])
            for k, v in terms.items():
                seg_terms[k] = seg_terms.get(k, 0) + v
            num_seg += 1
        losses.update({k: v / num_seg for k, v in seg_terms.items()})
        return losses

    def _seg_loss(self, b: int, inputs: dict, sample: PixelDataSample,
                  hidden: torch.Tensor) -> Dict[str, torch.Tensor]:
        if self.mask_decoder is None:
            raise ValueError('Samples have gt_masks but the model has no '
                             'mask decoder')
        ids = inputs['input_ids'][b]
        positions = self._seg_positions(ids)
        targets, obj_to_frame = sample.gt_masks, sample.gt_obj_to_frame
        if positions.numel() != targets.size(1):
            raise ValueError(f'Sample {b} has {positions.numel()} <|seg|> '
                             f'tokens but {targets.size(1)} target objects')
        if 0 < self.sample_objects < positions.numel():
            keep = sorted(
                random.sample(range(positions.numel()), self.sample_objects))
            positions, targets = positions[keep], targets[:, keep]
            obj_to_frame = obj_to_frame[:, keep]
        prompts = self.llm.seg_prompts(hidden[positions])
        outputs = self.mask_decoder.loss_outputs(inputs['frames'][b], prompts,
                                                 obj_to_frame)
        terms = self.mask_loss(outputs, targets)
        return {k: v / targets.size(0) for k, v in terms.items()}

    def predict(self,
                inputs: dict,
                data_samples: SampleList = None) -> List[PixelDataSample]:
        """Generate answers and segment their ``<|seg|>`` objects.

        Uses ``generation_cfg``; with ``max_new_tokens=0`` only the
        ``<|seg|>`` tokens of the prompt are segmented.

        Samples with a ``memory_turn`` (PixelQA) are answered in two passes,
        see :meth:`generate_memory_turns`.

        Returns:
            list[PixelDataSample]: with ``pred_ids``, ``pred_masks`` (per
            object a (T, H, W) bool), ``pred_mask_scores`` (S, T), with a
            ``tokenizer`` ``pred_text``, and for a memory turn
            ``memory_prompt_ids`` (the follow-up prompt).
        """
        if data_samples is None:
            data_samples = [
                PixelDataSample() for _ in range(inputs['input_ids'].size(0))
            ]
        with_memory = [s.get('memory_turn') is not None for s in data_samples]
        if any(with_memory):
            if not all(with_memory):
                raise ValueError(
                    'A batch mixes samples with a memory_turn (PixelQA) and '
                    'samples without; batch them separately')
            results = self.generate_memory_turns(inputs, data_samples)
        else:
            results = self.generate(inputs, data_samples,
                                    **self.generation_cfg)
        for sample, result in zip(data_samples, results):
            sample.pred_ids = result.ids
            sample.pred_masks = list(result.masks)
            sample.pred_mask_scores = result.mask_scores
            if result.prompt_ids is not None:
                sample.memory_prompt_ids = result.prompt_ids
            if self.tokenizer_cfg is not None:
                sample.pred_text = self.decode(result.ids)
        return list(data_samples)

    @torch.no_grad()
    def generate_memory_turns(self, inputs: dict,
                              data_samples: Sequence[PixelDataSample],
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

        Needs the ``tokenizer`` (to write the follow-up prompt) and a memory
        bank.

        Args:
            inputs (dict): The batch of the data preprocessor.
            data_samples (Sequence[PixelDataSample]): Samples with
                ``memory_turn = dict(question, oids, answer_prefix=None)``.
            **generation: Options of :meth:`generate` for the answers.

        Returns:
            list[GenerationResult]: per sample, the answer's ids, the masks
            and scores of the first pass's objects followed by those of any
            ``<|seg|>`` of the answer, and the follow-up prompt's ids
            (``prompt_ids``).
        """
        if self.tokenizer_cfg is None or self.memory_bank is None:
            raise ValueError('Answering a memory_turn needs the tokenizer '
                             'option and a memory bank')
        options = dict(self.generation_cfg, **generation)
        inputs = dict(inputs, vision_cache={})
        first = self.generate(inputs, data_samples,
                              **dict(options, max_new_tokens=0))
        follow_inputs, follow_samples = self.memory_turn_inputs(
            inputs, data_samples, [r.masks for r in first])
        answers = self.generate(follow_inputs, follow_samples, **options)
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
        self, inputs: dict, data_samples: Sequence[PixelDataSample],
        masks: Sequence[torch.Tensor]
    ) -> Tuple[dict, List[PixelDataSample]]:
        """The batch of the follow-up questions, with ``masks`` as their
        mask prompts (step 2 of :meth:`generate_memory_turns`).

        Args:
            inputs (dict): The batch of the first pass (videos).
            data_samples (Sequence[PixelDataSample]): Its samples, with
                ``memory_turn``.
            masks (Sequence[Tensor]): Per sample (O, T, H, W) bool, one
                masklet per object of ``memory_turn['oids']``.

        Returns:
            tuple[dict, list[PixelDataSample]]: The left-padded batch (the
            same visual inputs) and samples holding the mask prompts.
        """
        # the follow-up is formatted as the data pipeline formats a
        # mask-prompted question
        if self._memory_formatter is None:
            self._memory_formatter = FormatConversation(self.tokenizer_cfg)
        ids = inputs['input_ids']
        rows = [
            b for b in range(ids.size(0))
            if (ids[b] == self.video_token_id).any()
        ]
        vision = self.vision_tokenizer
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
            seconds = None if seconds is None else float(
                seconds[rows.index(b)])
            prompt_masks = masks_to_token_grid(
                objs.transpose(0, 1).cpu(), grid_thw.tolist(),
                vision.config.patch_size, vision.merge_size,
                vision.temporal_patch_size)
            results = self._memory_formatter(
                dict(
                    turns=[
                        dict(
                            question=turn['question'],
                            answer=None,
                            answer_prefix=turn.get('answer_prefix'))
                    ],
                    objects=[dict(oid=oid) for oid in oids],
                    prompt_type='mask',
                    prompt_masks=prompt_masks,
                    frames=range(objs.size(1)),
                    video_grid_thw=grid_thw.cpu(),
                    second_per_grid_ts=seconds,
                    seg_targets=False,
                    entry=sample.metainfo.get('entry', f'sample {b}')))
            seqs.append(results['input_ids'].to(ids.device))
            follow = PixelDataSample(metainfo=sample.metainfo)
            follow.prompt_masks = prompt_masks.to(ids.device)
            samples.append(follow)
        follow_inputs = {
            k: v
            for k, v in inputs.items()
            if k not in ('input_ids', 'attention_mask', 'labels')
        }
        follow_inputs['input_ids'] = pad_sequences(seqs, self.pad_token_id,
                                                   'left')
        follow_inputs['attention_mask'] = pad_sequences(
            [torch.ones_like(s) for s in seqs], 0, 'left')
        return follow_inputs, samples

    def decode(self, ids: torch.Tensor) -> str:
        """Generated ids -> answer text (end and padding ids dropped,
        special tokens such as ``<|seg|>`` kept); needs ``tokenizer``."""
        if self.tokenizer_cfg is None:
            raise ValueError('UniPixel.decode needs the tokenizer option')
        tokenizer = get_processor(self.tokenizer_cfg).tokenizer
        return tokenizer.decode(self.answer_ids(ids))

    def answer_ids(self, ids: torch.Tensor) -> List[int]:
        """Generated ids without the end and padding ids."""
        return [
            i for i in ids.tolist()
            if i not in self.eos_token_ids and i != self.pad_token_id
        ]

    # ------------------------------------------------------------------ #
    # generation
    # ------------------------------------------------------------------ #
    @staticmethod
    def _logits_warpers(do_sample: bool, temperature: float, top_k: int,
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

    @torch.no_grad()
    def generate(self,
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

        A ``<|seg|>`` token's prompt comes from the pre-norm hidden state of
        the position that predicts it, in the prompt or in the answer.
        Batched prompts must be left-padded.

        Args:
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
        mask = inputs.get('attention_mask')
        if mask is None:
            mask = torch.ones_like(ids)
        if batch_size > 1 and (mask[:, -1] == 0).any():
            raise ValueError('Batched generation needs left padding')
        out, rope_deltas = self._prefill(
            dict(inputs, attention_mask=mask),
            data_samples,
            use_cache=use_cache and max_new_tokens > 0,
            logits_to_keep=1)
        room = self.llm.config.max_position_embeddings - int(
            (ids.size(1) + rope_deltas).max())
        if max_new_tokens > room:
            print_log(
                f'max_new_tokens={max_new_tokens} would pass the model\'s '
                f'{self.llm.config.max_position_embeddings} positions: '
                f'generating at most {room} tokens',
                logger='current',
                level=logging.WARNING)
            max_new_tokens = room
        seg_hidden = [[
            out.hidden_states[b, p] for p in self._seg_positions(ids[b])
        ] for b in range(batch_size)]
        warpers = self._logits_warpers(do_sample, temperature, top_k, top_p)
        generated = ids.new_empty(batch_size, 0)
        finished = torch.zeros(batch_size, dtype=torch.bool, device=ids.device)
        eos = torch.tensor(self.eos_token_ids, device=ids.device)
        steps = tqdm(
            range(max_new_tokens), desc='decoding', disable=not progress)
        for step in steps:
            logits = warpers(
                torch.cat([ids, generated], 1), out.logits[:, -1].float())
            if do_sample:
                token = torch.multinomial(logits.softmax(-1), 1)[:, 0]
            else:
                token = logits.argmax(-1)
            token = torch.where(finished, self.pad_token_id, token)
            for b in torch.nonzero((token == self.seg_token_id)
                                   & ~finished)[:, 0].tolist():
                seg_hidden[b].append(out.hidden_states[b, -1])
            generated = torch.cat([generated, token[:, None]], 1)
            finished |= torch.isin(token, eos)
            if finished.all() or step == max_new_tokens - 1:
                break
            mask = torch.cat([mask, mask.new_ones(batch_size, 1)], 1)
            if not use_cache:
                out, _ = self._prefill(
                    dict(
                        inputs,
                        input_ids=torch.cat([ids, generated], 1),
                        attention_mask=mask),
                    data_samples,
                    logits_to_keep=1)
                continue
            past = out.past_key_values
            position = (past.get_seq_length() + rope_deltas).view(1, -1, 1)
            out = self.llm(
                self.llm.embed_tokens(token[:, None]),
                mask,
                position.expand(3, -1, -1),
                past_key_values=past,
                use_cache=True)
        steps.close()
        return [
            self._decode_result(b, inputs, data_samples, generated[b],
                                seg_hidden[b], decode_masks, batch_objects,
                                progress) for b in range(batch_size)
        ]

    def _decode_result(self, b: int, inputs: dict, data_samples: SampleList,
                       ids: torch.Tensor, hidden: List[torch.Tensor],
                       decode_masks: bool, batch_objects: bool,
                       progress: bool) -> GenerationResult:
        frames = (inputs.get('frames') or [None] * (b + 1))[b]
        num_frames, size = 0, (0, 0)
        if frames is not None:
            num_frames, size = frames.size(0), tuple(frames.shape[-2:])
            if data_samples is not None:
                size = data_samples[b].metainfo.get('frame_size', size)
        prompts = self.llm.seg_prompts(torch.stack(hidden)) \
            if hidden and self.mask_decoder is not None else None
        if not (decode_masks and prompts is not None and frames is not None):
            return GenerationResult(
                ids,
                torch.zeros(0, num_frames, *size, dtype=torch.bool),
                torch.zeros(0, num_frames),
                seg_prompts=prompts)
        masks, scores = self.mask_decoder.predict(
            frames,
            prompts,
            size,
            batch_objects=batch_objects,
            progress=progress)
        return GenerationResult(ids, masks, scores, seg_prompts=prompts)
