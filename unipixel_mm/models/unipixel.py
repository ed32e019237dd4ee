"""UniPixel: a Qwen2.5-VL LLM that refers to and segments objects with SAM2."""
import random
import warnings
from dataclasses import fields, replace
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import torch
from mmengine.model import BaseModel
from transformers.cache_utils import DynamicCache

from unipixel_mm.registry import MODELS
from unipixel_mm.structures import PixelDataSample
from unipixel_mm.text import (QWEN2_5_VL_TOKEN_IDS, ConversationFormatter,
                              get_processor, special_token_ids)
from .checkpoint.partial import load_partial_checkpoints
from .checkpoint.weight_names import checkpoint_weight_names
from .generation import GenerationResult, generate
from .llm.qwen_llm_head import LLMOutput
from .pixelqa import (generate_answers, generate_memory_turns,
                      memory_turn_inputs)
from .utils.dtype import resolve_dtype
from .utils.finetune import (add_lora, enable_gradient_checkpointing,
                             set_trainable)
from .utils.precision import apply_precision

SampleList = Optional[Sequence[PixelDataSample]]


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
        image_token_id, video_token_id, vision_start_token_id (int, optional):
            ids of Qwen2.5-VL's ``<|image_pad|>``, ``<|video_pad|>`` and
            ``<|vision_start|>``.
        ref_token_id, seg_token_id, mem_token_id (int, optional): ids of
            ``<|ref|>``, ``<|seg|>`` and ``<|mem|>``.
        eos_token_id (int | list[int], optional): id(s) that end generation.
        pad_token_id (int, optional): id written after a sequence ended.
            Token ids left None are read from the ``processor``
            when there is one, else they are the official Qwen2.5-VL ones
            (:data:`~unipixel_mm.text.QWEN2_5_VL_TOKEN_IDS`).
        sample_objects (int): in training, supervise at most this many random
            ``<|seg|>`` objects per sample (-1: all).
        generation_cfg (dict): default ``generate`` options of ``predict``.
        processor (str | dict, optional): the text processor's directory or
            builder config (see :func:`unipixel_mm.text.get_processor`);
            with it ``predict`` decodes answers into ``pred_text`` and
            writes PixelQA follow-ups. Loaded on first use.
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
        tokenizer (str | dict, optional): deprecated name of ``processor``.
    """

    def __init__(self,
                 vision_tokenizer: dict,
                 llm: dict,
                 prompt_encoder: Optional[dict] = None,
                 memory_bank: Optional[dict] = None,
                 mask_decoder: Optional[dict] = None,
                 mask_loss: dict = dict(type='MultiStepMaskLoss'),
                 image_token_id: Optional[int] = None,
                 video_token_id: Optional[int] = None,
                 vision_start_token_id: Optional[int] = None,
                 ref_token_id: Optional[int] = None,
                 seg_token_id: Optional[int] = None,
                 mem_token_id: Optional[int] = None,
                 eos_token_id: Union[None, int, List[int]] = None,
                 pad_token_id: Optional[int] = None,
                 sample_objects: int = -1,
                 generation_cfg: Optional[dict] = None,
                 processor: Optional[Union[str, dict]] = None,
                 train_cfg: Optional[dict] = None,
                 partial_checkpoints: Sequence[str] = (),
                 precision: str = 'sam2_float32',
                 dtype: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 tokenizer: Optional[Union[str, dict]] = None) -> None:
        if tokenizer is not None:
            warnings.warn(
                'UniPixel(tokenizer=...) is now UniPixel(processor=...) (the '
                'text processor, not the vision tokenizer); the old name goes '
                'in the next release',
                DeprecationWarning,
                stacklevel=2)
            processor = processor if processor is not None else tokenizer
        ids = self._token_ids(
            processor,
            image_token_id=image_token_id,
            video_token_id=video_token_id,
            vision_start_token_id=vision_start_token_id,
            ref_token_id=ref_token_id,
            seg_token_id=seg_token_id,
            mem_token_id=mem_token_id,
            eos_token_id=eos_token_id,
            pad_token_id=pad_token_id)
        super().__init__(
            data_preprocessor=self._build_preprocessor(
                data_preprocessor, ids['pad_token_id']),
            init_cfg=init_cfg)
        self._set_token_ids(ids)
        self.sample_objects = sample_objects
        self.generation_cfg = dict(max_new_tokens=0)
        self.generation_cfg.update(generation_cfg or {})
        self.processor_cfg = processor
        self._text_formatter = None

        self._build_components(vision_tokenizer, llm, prompt_encoder,
                               memory_bank, mask_decoder, mask_loss,
                               ids['vision_start_token_id'])
        self.partial_checkpoints = list(partial_checkpoints)
        if train_cfg is not None:
            self._setup_training(**train_cfg)
        self.precision = precision
        apply_precision(self, precision)
        if dtype is not None:
            self.to(resolve_dtype(dtype))

    @staticmethod
    def _build_preprocessor(cfg: Optional[Union[dict, torch.nn.Module]],
                            pad_token_id: int) -> torch.nn.Module:
        """The data preprocessor (``UniPixelDataPreprocessor`` by default),
        padding with the model's pad token unless ``cfg`` says otherwise."""
        if cfg is None:
            cfg = dict(type='UniPixelDataPreprocessor')
        if isinstance(cfg, dict):
            return MODELS.build(dict(dict(pad_token_id=pad_token_id), **cfg))
        return cfg

    def _set_token_ids(self, ids: dict) -> None:
        """Keeps the special token ids the model reads (see
        :meth:`_token_ids`); ``eos_token_ids`` is always a list."""
        self.image_token_id = ids['image_token_id']
        self.video_token_id = ids['video_token_id']
        self.ref_token_id = ids['ref_token_id']
        self.seg_token_id = ids['seg_token_id']
        self.mem_token_id = ids['mem_token_id']
        eos = ids['eos_token_id']
        self.eos_token_ids = [eos] if isinstance(eos, int) else list(eos)
        self.pad_token_id = ids['pad_token_id']

    def _build_components(self, vision_tokenizer: dict, llm: dict,
                          prompt_encoder: Optional[dict],
                          memory_bank: Optional[dict],
                          mask_decoder: Optional[dict], mask_loss: dict,
                          vision_start_token_id: int) -> None:
        """Builds the components, filling in the widths they share (see the
        class docstring); the mask decoder comes first, as the others read
        its widths."""
        self.mask_decoder = MODELS.build(
            mask_decoder) if mask_decoder else None
        self.mask_loss = MODELS.build(mask_loss) if mask_decoder else None
        self.vision_tokenizer = MODELS.build(vision_tokenizer)
        vision = self.vision_tokenizer
        llm = dict(
            llm,
            image_token_id=self.image_token_id,
            video_token_id=self.video_token_id,
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
        self.prompt_encoder = self._build_prompt_encoder(prompt_encoder)
        self.memory_bank = None
        if memory_bank:
            memory_bank = dict(memory_bank)
            memory_bank.setdefault('in_dim', vision.pool_dim)
            memory_bank.setdefault('embed_dim', self.llm.embed_dim)
            self.memory_bank = MODELS.build(memory_bank)

    def _build_prompt_encoder(self, cfg: Optional[dict]):
        """The ``<|ref|>`` prompt encoder at the mask decoder's frame and
        prompt width, or None."""
        if not cfg:
            return None
        if self.mask_decoder is None:
            raise ValueError('A prompt encoder needs a mask decoder (it '
                             'shares the SAM2 frame and prompt width)')
        cfg = dict(cfg)
        cfg.setdefault('embed_dim', self.mask_decoder.embed_dim)
        cfg.setdefault('llm_dim', self.llm.embed_dim)
        cfg.setdefault('image_size', self.mask_decoder.image_size)
        cfg.setdefault('feat_size', self.mask_decoder.feat_size)
        return MODELS.build(cfg)

    @staticmethod
    def _token_ids(processor: Optional[Union[str, dict]],
                   **given: Optional[int]) -> Dict[str, int]:
        """The special token ids: those the config gives, else the
        ``processor``'s, else Qwen2.5-VL's
        (:data:`~unipixel_mm.text.QWEN2_5_VL_TOKEN_IDS`)."""
        if processor is not None and None in given.values():
            known = special_token_ids(get_processor(processor).tokenizer)
        else:
            known = QWEN2_5_VL_TOKEN_IDS
        return {
            name: known[name] if value is None else value
            for name, value in given.items()
        }

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
        """Initialise the components, then the new modules from the others
        as the reference does (the ``<|ref|>`` prompt encoder from the mask
        decoder, the memory bank from the vision tokenizer; see
        :mod:`unipixel_mm.models.base`), then load ``partial_checkpoints``.
        """
        super().init_weights()
        if self.prompt_encoder is not None:
            self.prompt_encoder.init_from_mask_decoder(self.mask_decoder)
        if self.memory_bank is not None:
            self.memory_bank.init_from_vision_tokenizer(self.vision_tokenizer)
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

    def prefill(self,
                inputs: dict,
                data_samples: SampleList,
                use_cache: bool = False,
                logits_to_keep: int = 0) -> Tuple[LLMOutput, torch.Tensor]:
        """Embeds the prompt and runs the LLM over it once.

        Args:
            inputs (dict): The batch of the data preprocessor.
            data_samples (list[PixelDataSample], optional): The prompts.
            use_cache (bool): Return a KV cache to decode from.
            logits_to_keep (int): Logits of the last positions only (0: all).

        Returns:
            tuple[LLMOutput, Tensor]: The LLM outputs and (B, 1) the rope
            position deltas of the next tokens.
        """
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
            return self.prefill(inputs, data_samples)[0].logits
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
        out, _ = self.prefill(inputs, data_samples)
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
            ``processor`` ``pred_text``, and for a memory turn
            ``memory_prompt_ids`` (the follow-up prompt).
        """
        if data_samples is None:
            data_samples = [
                PixelDataSample() for _ in range(inputs['input_ids'].size(0))
            ]
        results = generate_answers(self, inputs, data_samples,
                                   **self.generation_cfg)
        for sample, result in zip(data_samples, results):
            sample.pred_ids = result.ids
            sample.pred_masks = list(result.masks)
            sample.pred_mask_scores = result.mask_scores
            if result.prompt_ids is not None:
                sample.memory_prompt_ids = result.prompt_ids
            if self.processor_cfg is not None:
                sample.pred_text = self.decode(result.ids)
        return list(data_samples)

    def decode(self, ids: torch.Tensor) -> str:
        """Generated ids -> answer text (end and padding ids dropped,
        special tokens such as ``<|seg|>`` kept); needs ``processor``."""
        if self.processor_cfg is None:
            raise ValueError('UniPixel.decode needs the processor option')
        tokenizer = get_processor(self.processor_cfg).tokenizer
        return tokenizer.decode(self.answer_ids(ids))

    def answer_ids(self, ids: torch.Tensor) -> List[int]:
        """Generated ids without the end and padding ids."""
        return [
            i for i in ids.tolist()
            if i not in self.eos_token_ids and i != self.pad_token_id
        ]

    # ------------------------------------------------------------------ #
    # generation (in unipixel_mm.models.generation and .pixelqa)
    # ------------------------------------------------------------------ #
    @torch.no_grad()
    def generate(self,
                 inputs: dict,
                 data_samples: SampleList = None,
                 **options) -> List[GenerationResult]:
        """Decoding with a KV cache, then mask decoding of the ``<|seg|>``
        objects; see :func:`unipixel_mm.models.generation.generate` for the
        ``options``.

        Runs under ``torch.inference_mode`` (less overhead per operation
        than ``no_grad``); the returned tensors are copied out of it, so
        callers may modify them in place.
        """
        with torch.inference_mode():
            results = generate(self, inputs, data_samples, **options)
        return [
            replace(
                r, **{
                    f.name: getattr(r, f.name).clone()
                    for f in fields(r)
                    if isinstance(getattr(r, f.name), torch.Tensor)
                }) for r in results
        ]

    @torch.no_grad()
    def generate_memory_turns(
            self,
            inputs: dict,
            data_samples: Sequence[PixelDataSample],
            formatter: Optional[ConversationFormatter] = None,
            **options) -> List[GenerationResult]:
        """Segment, remember, then answer (PixelQA); see
        :func:`unipixel_mm.models.pixelqa.generate_memory_turns`."""
        return generate_memory_turns(self, inputs, data_samples, formatter,
                                     **options)

    def memory_turn_inputs(
        self, inputs: dict, data_samples: Sequence[PixelDataSample],
        masks: Sequence[torch.Tensor],
        formatter: Optional[ConversationFormatter] = None
    ) -> Tuple[dict, List[PixelDataSample]]:
        """The batch of the PixelQA follow-up questions; see
        :func:`unipixel_mm.models.pixelqa.memory_turn_inputs`."""
        return memory_turn_inputs(self, inputs, data_samples, masks,
                                  formatter)

    @property
    def tokenizer_cfg(self) -> Optional[Union[str, dict]]:
        """Deprecated name of :attr:`processor_cfg`."""
        warnings.warn(
            'UniPixel.tokenizer_cfg is now UniPixel.processor_cfg',
            DeprecationWarning,
            stacklevel=2)
        return self.processor_cfg

    @property
    def text_formatter(self) -> ConversationFormatter:
        """The conversation formatter of the ``processor`` (built
        on first use)."""
        if self.processor_cfg is None:
            raise ValueError('Formatting text needs the processor option')
        if self._text_formatter is None:
            self._text_formatter = ConversationFormatter(self.processor_cfg)
        return self._text_formatter
