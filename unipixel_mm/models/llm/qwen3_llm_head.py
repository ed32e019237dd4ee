"""Qwen3-VL language model + lm_head + the ``<|seg|>`` segmentation head."""
from typing import Optional, Tuple

import torch
from transformers.models.qwen3_vl.configuration_qwen3_vl import \
    Qwen3VLTextConfig
from transformers.models.qwen3_vl.modeling_qwen3_vl import (Qwen3VLModel,
                                                            Qwen3VLTextModel)

from unipixel_mm.registry import MODELS
from .qwen_llm_head import QwenLLMHead


@MODELS.register_module()
class Qwen3LLMHead(QwenLLMHead):
    """Qwen3-VL's language model with its lm_head and a segmentation head.

    What differs from :class:`QwenLLMHead` (same arguments, with
    ``text_config`` the fields of ``Qwen3VLTextConfig``):

    - the decoder applies interleaved M-RoPE (transformers' rotary
      embedding of Qwen3-VL, ``rope_scaling.mrope_section``);
    - positions follow Qwen3-VL's rule: a video is a sequence of frames
      (temporal groups), each written ``<t seconds><|vision_start|>...
      <|vision_end|>`` with its time stamp as text, so the visual tokens of
      a frame share temporal index 0 and ``second_per_grid_ts`` /
      ``tokens_per_second`` are not used;
    - ``forward`` adds the DeepStack features of the visual positions to
      the hidden states after the first decoder layers.
    """
    text_config_class = Qwen3VLTextConfig
    text_model_class = Qwen3VLTextModel

    def rope_index(
        self,
        input_ids: torch.Tensor,
        attention_mask: Optional[torch.Tensor] = None,
        image_grid_thw: Optional[torch.Tensor] = None,
        video_grid_thw: Optional[torch.Tensor] = None,
        second_per_grid_ts: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """3D (temporal, height, width) M-RoPE positions of a prompt.

        ``second_per_grid_ts`` is accepted for the common interface and not
        used (Qwen3-VL writes time stamps into the text).

        Returns:
            tuple[Tensor, Tensor]: (3, B, L) positions and (B, 1) the offset
            of the next text position from the sequence length.
        """
        return Qwen3VLModel.get_rope_index(self._rope_owner, input_ids,
                                           image_grid_thw, video_grid_thw,
                                           attention_mask)

    def decoder_visual_inputs(self, inputs_embeds: torch.Tensor,
                              visual_mask: Optional[torch.Tensor],
                              deepstack: Optional[torch.Tensor]) -> dict:
        """transformers' DeepStack arguments: the (B, L) visual positions
        and, per level s, the (N, D) features added to them after decoder
        layer s (none without visual tokens, e.g. in cached decoding)."""
        if deepstack is None or visual_mask is None or not visual_mask.any():
            return {}
        return dict(
            visual_pos_masks=visual_mask,
            deepstack_visual_embeds=[
                level[visual_mask].to(inputs_embeds.dtype)
                for level in deepstack
            ])
