"""Qwen2.5-VL language model + lm_head + the ``<|seg|>`` segmentation head."""
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Optional, Set, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from transformers.cache_utils import Cache
from transformers.loss.loss_utils import ForCausalLMLoss
from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import \
    Qwen2_5_VLTextConfig
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import (
    Qwen2_5_VLModel, Qwen2_5_VLRotaryEmbedding, Qwen2_5_VLTextModel,
    Qwen2RMSNorm)

from unipixel_mm.registry import MODELS
from unipixel_mm.text import QWEN2_5_VL_TOKEN_IDS as _QWEN_IDS
from ..checkpoint.hf_weights import load_hf_part
from ..checkpoint.weight_names import file_weight_names
from ..utils.attention import check_attn_implementation
from ..utils.capture import capture_input
from ..utils.dtype import resolve_dtype
from ..utils.rotary import RotaryTable


@dataclass
class LLMOutput:
    """Output of one LLM pass.

    Attributes:
        logits (Tensor): (B, L', V) next-token logits of the kept positions.
        hidden_states (Tensor): (B, L, D) output of the last decoder layer,
            before the final norm: what the segmentation head reads.
        past_key_values (Cache, optional): the KV cache, when used.
    """
    logits: torch.Tensor
    hidden_states: torch.Tensor
    past_key_values: Optional[Cache] = None


@MODELS.register_module()
class QwenLLMHead(BaseModule):
    """Qwen2.5-VL's language model with its lm_head and a segmentation head.

    The segmentation head maps the hidden state that predicts a ``<|seg|>``
    token (last decoder layer, before the final norm) to K SAM2 prompt
    tokens: RMSNorm -> Linear -> GELU -> Linear(D, K * C).

    Args:
        text_config (dict): fields of ``Qwen2_5_VLTextConfig``.
        seg_embed_dim (int): width C of a SAM2 prompt token.
        num_seg_tokens (int): K prompt tokens per ``<|seg|>``.
        image_token_id (int): id of ``<|image_pad|>``.
        video_token_id (int): id of ``<|video_pad|>``.
        vision_start_token_id (int): id of ``<|vision_start|>``.
        spatial_merge_size (int): the vision tokenizer's merge size (M-RoPE).
        tokens_per_second (float): temporal M-RoPE positions per second.
        attn_implementation (str): ``'sdpa'``, ``'eager'`` or
            ``'flash_attention_2'``.
        pretrained (str, optional): a Qwen2.5-VL (or UniPixel) HuggingFace
            directory whose language model and lm_head ``init_weights`` loads.
        vocab_size (int, optional): grow the vocabulary to this size at
            ``init_weights`` (new rows get the mean embedding), for a
            tokenizer with more tokens than the pretrained vocabulary.
        torch_dtype (str, optional): build the head in this dtype (e.g.
            ``'bfloat16'``) instead of the default one.
        init_cfg (dict, optional): mmengine init config.

    Note:
        ``init_weights`` gives the segmentation head's linear layers Xavier
        uniform weights and zero biases, as the reference does.
    """
    #: the transformers text config / decoder a subclass swaps for its base
    text_config_class = Qwen2_5_VLTextConfig
    text_model_class = Qwen2_5_VLTextModel

    def __init__(self,
                 text_config: dict,
                 seg_embed_dim: int,
                 num_seg_tokens: int = 2,
                 image_token_id: int = _QWEN_IDS['image_token_id'],
                 video_token_id: int = _QWEN_IDS['video_token_id'],
                 vision_start_token_id: int = _QWEN_IDS[
                     'vision_start_token_id'],
                 spatial_merge_size: int = 2,
                 tokens_per_second: float = 2,
                 attn_implementation: str = 'sdpa',
                 pretrained: Optional[str] = None,
                 vocab_size: Optional[int] = None,
                 torch_dtype: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        check_attn_implementation(attn_implementation)
        self.pretrained = pretrained
        self.target_vocab_size = vocab_size
        config = self.text_config_class(**text_config)
        dtype = resolve_dtype(torch_dtype)
        self.model = self.text_model_class._from_config(
            config, attn_implementation=attn_implementation, dtype=dtype)
        rotary = self.model.rotary_emb
        if type(rotary) is Qwen2_5_VLRotaryEmbedding \
                and rotary.rope_type == 'default':
            # cos / sin from a table: one lookup per decoding step
            self.model.rotary_emb = RotaryTable(rotary)
        dim = config.hidden_size
        self.lm_head = nn.Linear(
            dim, config.vocab_size, bias=False, dtype=dtype)
        self.tie_weights()
        self.num_seg_tokens = num_seg_tokens
        self.seg_head = nn.Sequential(
            Qwen2RMSNorm(dim), nn.Linear(dim, dim, dtype=dtype), nn.GELU(),
            nn.Linear(dim, seg_embed_dim * num_seg_tokens, dtype=dtype))
        if dtype is not None:
            self.seg_head[0].to(dtype)
        self.vision_start_token_id = vision_start_token_id
        # what transformers' M-RoPE index function reads from its config
        self._rope_owner = SimpleNamespace(
            config=SimpleNamespace(
                image_token_id=image_token_id,
                video_token_id=video_token_id,
                vision_start_token_id=vision_start_token_id,
                vision_config=SimpleNamespace(
                    spatial_merge_size=spatial_merge_size,
                    tokens_per_second=tokens_per_second)))

    def pretrained_weight_names(self) -> Set[str]:
        """The names that ``init_weights`` loads from ``pretrained`` (all
        but the new segmentation head)."""
        return file_weight_names(
            self, skip=('seg_head.', )) if self.pretrained else set()

    def init_weights(self) -> None:
        super().init_weights()
        for layer in self.seg_head:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)
        if self.pretrained:
            load_hf_part(
                self,
                self.pretrained,
                'llm.',
                skip_missing=('seg_head.', ),
                model_type=self.config.model_type)
            self.tie_weights()
        if self.target_vocab_size and \
                self.target_vocab_size > self.vocab_size:
            self.resize_vocab(self.target_vocab_size)

    @torch.no_grad()
    def resize_vocab(self, size: int) -> None:
        """Grow the vocabulary; new rows get the mean of the old rows.

        The parameters keep their identity (their data is replaced), so
        optimisers and mmengine's init bookkeeping still see the same ones.
        """
        embed, head = self.model.embed_tokens, self.lm_head
        tied = head.weight is embed.weight
        for module in (embed, ) if tied else (embed, head):
            old = module.weight.data
            new = old.new_empty(size, old.size(1))
            new[:old.size(0)] = old
            new[old.size(0):] = old.mean(0)
            module.weight.data = new
        embed.num_embeddings = head.out_features = size
        self.config.vocab_size = size

    def tie_weights(self) -> None:
        """Share the lm_head weight with the input embedding when the
        config ties them (Qwen2.5-VL-3B); call again after building on the
        meta device or replacing the embedding."""
        if self.config.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    @property
    def config(self) -> Qwen2_5_VLTextConfig:
        return self.model.config

    @property
    def embed_dim(self) -> int:
        return self.config.hidden_size

    @property
    def vocab_size(self) -> int:
        return self.config.vocab_size

    def embed_tokens(self, input_ids: torch.Tensor) -> torch.Tensor:
        """(B, L) ids -> (B, L, D) embeddings."""
        return self.model.embed_tokens(input_ids)

    def rope_index(
        self,
        input_ids: torch.Tensor,
        attention_mask: Optional[torch.Tensor] = None,
        image_grid_thw: Optional[torch.Tensor] = None,
        video_grid_thw: Optional[torch.Tensor] = None,
        second_per_grid_ts: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """3D (temporal, height, width) M-RoPE positions of a prompt.

        Returns:
            tuple[Tensor, Tensor]: (3, B, L) positions and (B, 1) the offset
            of the next text position from the sequence length.
        """
        return Qwen2_5_VLModel.get_rope_index(self._rope_owner, input_ids,
                                              image_grid_thw, video_grid_thw,
                                              second_per_grid_ts,
                                              attention_mask)

    def forward(self,
                inputs_embeds: torch.Tensor,
                attention_mask: Optional[torch.Tensor],
                position_ids: torch.Tensor,
                past_key_values: Optional[Cache] = None,
                use_cache: bool = False,
                logits_to_keep: int = 0,
                visual_mask: Optional[torch.Tensor] = None,
                deepstack: Optional[torch.Tensor] = None) -> LLMOutput:
        """Run the decoder.

        Args:
            inputs_embeds (Tensor): (B, L, D) input embeddings.
            attention_mask (Tensor, optional): (B, L_past + L) padding mask.
            position_ids (Tensor): (3, B, L) M-RoPE positions.
            past_key_values (Cache, optional): KV cache to extend.
            use_cache (bool): return the (new) KV cache.
            logits_to_keep (int): compute logits for the last positions only
                (0 keeps all).
            visual_mask (Tensor, optional): (B, L) bool, the visual token
                positions.
            deepstack (Tensor, optional): (S, B, L, D) multi-level visual
                features of a vision tokenizer with DeepStack (zero outside
                ``visual_mask``); see :meth:`decoder_visual_inputs`.

        Returns:
            LLMOutput: logits, pre-norm hidden states and the cache.
        """
        with capture_input(self.model.norm) as pre_norm:
            out = self.model(
                inputs_embeds=inputs_embeds,
                attention_mask=attention_mask,
                position_ids=position_ids,
                past_key_values=past_key_values,
                use_cache=use_cache,
                return_dict=True,
                **self.decoder_visual_inputs(inputs_embeds, visual_mask,
                                             deepstack))
        hidden = out.last_hidden_state[:, -logits_to_keep:] \
            if logits_to_keep else out.last_hidden_state
        return LLMOutput(
            logits=self.lm_head(hidden),
            hidden_states=pre_norm['input'],
            past_key_values=out.past_key_values if use_cache else None)

    def decoder_visual_inputs(self, inputs_embeds: torch.Tensor,
                              visual_mask: Optional[torch.Tensor],
                              deepstack: Optional[torch.Tensor]) -> dict:
        """Extra decoder arguments that feed visual features into its
        layers: none for Qwen2.5-VL, whose decoder reads the visual tokens
        at its input only.

        Raises:
            ValueError: when given DeepStack features, which this decoder
                cannot take.
        """
        if deepstack is not None and deepstack.size(0):
            raise ValueError(
                f'{type(self).__name__} ({self.config.model_type}) takes no '
                'DeepStack features; pair the vision tokenizer with an LLM '
                'head of its base')
        return {}

    def seg_prompts(self, hidden: torch.Tensor) -> torch.Tensor:
        """(N, D) pre-norm hidden states -> (N, K, C) SAM2 prompt tokens."""
        tokens = self.seg_head(hidden)
        return tokens.view(hidden.size(0), self.num_seg_tokens, -1)

    def lm_loss(self, logits: torch.Tensor,
                labels: torch.Tensor) -> torch.Tensor:
        """Next-token cross entropy, averaged over supervised tokens."""
        return ForCausalLMLoss(logits, labels, vocab_size=self.vocab_size)
