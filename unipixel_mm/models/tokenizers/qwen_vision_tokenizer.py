"""The Qwen2.5-VL vision encoder as UniPixel's vision tokenizer."""
from dataclasses import dataclass
from typing import List, Optional

import torch
from torch import nn
from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import \
    Qwen2_5_VLVisionConfig
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import \
    Qwen2_5_VisionTransformerPretrainedModel

from unipixel_mm.registry import MODELS
from ..utils.capture import capture_input
from .hf_vision_tokenizer import HFVisionTokenizer


@dataclass
class VisionTokens:
    """Visual tokens of a batch of images / videos.

    Attributes:
        embeds (list[Tensor]): per item (N_i, D) merged tokens for the LLM,
            in raster order (t, h / 2, w / 2).
        pool_features (list[Tensor]): per item (N_i, 4 * C_v) the features
            entering the patch merger's MLP, the memory bank's input.
        grid_thw (Tensor): (V, 3) patch grid of each item.
    """
    embeds: List[torch.Tensor]
    pool_features: List[torch.Tensor]
    grid_thw: torch.Tensor


@MODELS.register_module()
class QwenVisionTokenizer(HFVisionTokenizer):
    """Qwen2.5-VL's windowed ViT and patch merger (transformers' module).

    Args:
        vision_config (dict): fields of ``Qwen2_5_VLVisionConfig`` (depth,
            hidden_size, out_hidden_size, window_size, ...).
        attn_implementation (str): ``'sdpa'``, ``'eager'`` or
            ``'flash_attention_2'``.
        pool_feature_order (str): order of ``pool_features``: ``'window'``
            keeps the ViT's window-grouped order, which the official UniPixel
            checkpoints were trained with (mask prompts are pooled from it as
            if it were raster order); ``'raster'`` restores raster order so
            that a mask prompt pools the features under it.
        pretrained (str, optional): a Qwen2.5-VL (or UniPixel) HuggingFace
            directory whose ``visual.*`` weights ``init_weights`` loads.
        torch_dtype (str, optional): build the encoder in this dtype (e.g.
            ``'bfloat16'``) instead of the default one.
        init_cfg (dict, optional): mmengine init config.
    """

    config_class = Qwen2_5_VLVisionConfig
    model_class = Qwen2_5_VisionTransformerPretrainedModel

    def __init__(self,
                 vision_config: dict,
                 attn_implementation: str = 'sdpa',
                 pool_feature_order: str = 'window',
                 pretrained: Optional[str] = None,
                 torch_dtype: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if pool_feature_order not in ('window', 'raster'):
            raise ValueError('pool_feature_order must be "window" or '
                             f'"raster", got "{pool_feature_order}"')
        super().__init__(vision_config, attn_implementation, pretrained,
                         torch_dtype, init_cfg)
        self.pool_feature_order = pool_feature_order

    def projector_to_copy(self) -> nn.Module:
        """The patch merger's MLP (the memory bank starts as its copy)."""
        return self.visual.merger.mlp

    def forward(self, pixel_values: torch.Tensor,
                grid_thw: torch.Tensor) -> VisionTokens:
        """Tokenise images / videos.

        Args:
            pixel_values (Tensor): (P, 3 * t_patch * patch * patch) flattened
                patches of all items, as the Qwen2.5-VL processor gives them.
            grid_thw (Tensor): (V, 3) (t, h, w) patch grid of each item.

        Returns:
            VisionTokens: merged tokens and pooling features per item.
        """
        self.check_patches(pixel_values, grid_thw)
        pixel_values = pixel_values.to(self.visual.dtype)
        with capture_input(self.visual.merger.mlp) as merger_input:
            embeds = self.visual(pixel_values, grid_thw=grid_thw)
        features = merger_input['input']
        if self.pool_feature_order == 'raster':
            window_index, _ = self.visual.get_window_index(grid_thw)
            features = features[torch.argsort(
                window_index.to(features.device))]
        sizes = (grid_thw.prod(-1) // self.merge_size**2).tolist()
        return VisionTokens(
            list(embeds.split(sizes)), list(features.split(sizes)), grid_thw)
