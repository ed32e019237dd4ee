"""The Qwen3-VL vision encoder (with DeepStack) as UniPixel's vision
tokenizer."""
from dataclasses import dataclass
from typing import List, Optional

import torch
import torch.nn as nn
from transformers.models.qwen3_vl.configuration_qwen3_vl import \
    Qwen3VLVisionConfig
from transformers.models.qwen3_vl.modeling_qwen3_vl import Qwen3VLVisionModel

from unipixel_mm.registry import MODELS
from ..utils.capture import capture_input
from .hf_vision_tokenizer import HFVisionTokenizer
from .qwen_vision_tokenizer import VisionTokens


@dataclass
class DeepStackVisionTokens(VisionTokens):
    """Visual tokens plus the DeepStack features of Qwen3-VL.

    Attributes:
        deepstack (list[Tensor]): per item (S, N_i, D): the merged features
            of S intermediate ViT blocks, added to the hidden states of the
            item's visual positions after the first S LLM layers.
    """
    deepstack: Optional[List[torch.Tensor]] = None


@MODELS.register_module()
class Qwen3VisionTokenizer(HFVisionTokenizer):
    """Qwen3-VL's ViT, patch merger and DeepStack mergers (transformers').

    The ViT has no windows: patches come in the merge order of the Qwen3-VL
    processors (each 2 x 2 block of patches consecutive), so the merged
    tokens and the features the memory bank pools from (the input of the
    merger's first linear layer, after its LayerNorm) are in raster order
    (t, h / 2, w / 2).

    Args:
        vision_config (dict): fields of ``Qwen3VLVisionConfig`` (depth,
            hidden_size, out_hidden_size, deepstack_visual_indexes, ...).
        attn_implementation (str): ``'sdpa'``, ``'eager'`` or
            ``'flash_attention_2'``.
        pretrained (str, optional): a Qwen3-VL HuggingFace directory whose
            ``model.visual.*`` weights ``init_weights`` loads.
        torch_dtype (str, optional): build the encoder in this dtype.
        init_cfg (dict, optional): mmengine init config.
    """

    config_class = Qwen3VLVisionConfig
    model_class = Qwen3VLVisionModel

    def projector_to_copy(self) -> nn.Module:
        """The merger's MLP (fc1, fc2), which the memory bank's projection
        starts as a copy of."""
        merger = self.visual.merger
        return nn.ModuleList([merger.linear_fc1, merger.linear_fc2])

    @property
    def num_deepstack_levels(self) -> int:
        return len(self.config.deepstack_visual_indexes)

    def forward(self, pixel_values: torch.Tensor,
                grid_thw: torch.Tensor) -> DeepStackVisionTokens:
        """Tokenise images / videos.

        Args:
            pixel_values (Tensor): (P, 3 * t_patch * patch * patch) flattened
                patches of all items, as the Qwen3-VL processors give them.
            grid_thw (Tensor): (V, 3) (t, h, w) patch grid of each item.

        Returns:
            DeepStackVisionTokens: merged tokens, pooling features and the
            (S, N_i, D) DeepStack features per item.
        """
        self.check_patches(pixel_values, grid_thw)
        pixel_values = pixel_values.to(self.visual.dtype)
        with capture_input(self.visual.merger.linear_fc1) as merger_input:
            embeds, deepstack = self.visual(pixel_values, grid_thw=grid_thw)
        sizes = (grid_thw.prod(-1) // self.merge_size**2).tolist()
        levels = torch.stack(deepstack) if deepstack else embeds.new_zeros(
            0, embeds.size(0), embeds.size(1))
        return DeepStackVisionTokens(
            list(embeds.split(sizes)),
            list(merger_input['input'].split(sizes)),
            grid_thw,
            deepstack=list(levels.split(sizes, dim=1)))
