"""The Qwen2.5-VL vision encoder as UniPixel's vision tokenizer."""
from dataclasses import dataclass
from typing import List, Optional, Set

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import \
    Qwen2_5_VLVisionConfig
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import \
    Qwen2_5_VisionTransformerPretrainedModel

from unipixel_mm.registry import MODELS
from ..utils.attention import check_attn_implementation
from ..utils.capture import capture_input
from ..utils.dtype import resolve_dtype
from ..utils.hf_weights import load_hf_part
from ..utils.weight_names import file_weight_names


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
class QwenVisionTokenizer(BaseModule):
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

    def __init__(self,
                 vision_config: dict,
                 attn_implementation: str = 'sdpa',
                 pool_feature_order: str = 'window',
                 pretrained: Optional[str] = None,
                 torch_dtype: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if pool_feature_order not in ('window', 'raster'):
            raise ValueError('pool_feature_order must be "window" or '
                             f'"raster", got "{pool_feature_order}"')
        check_attn_implementation(attn_implementation)
        config = Qwen2_5_VLVisionConfig(**vision_config)
        self.visual = Qwen2_5_VisionTransformerPretrainedModel._from_config(
            config,
            attn_implementation=attn_implementation,
            dtype=resolve_dtype(torch_dtype))
        self.pool_feature_order = pool_feature_order
        self.pretrained = pretrained

    def pretrained_weight_names(self) -> Set[str]:
        """The names that ``init_weights`` loads from ``pretrained``."""
        return file_weight_names(self) if self.pretrained else set()

    def init_weights(self) -> None:
        super().init_weights()
        if self.pretrained:
            load_hf_part(
                self,
                self.pretrained,
                'vision_tokenizer.',
                model_type=self.config.model_type)

    @property
    def config(self) -> Qwen2_5_VLVisionConfig:
        return self.visual.config

    @property
    def embed_dim(self) -> int:
        """Width D of the merged tokens (the LLM width)."""
        return self.config.out_hidden_size

    @property
    def pool_dim(self) -> int:
        """Width of ``pool_features``: hidden size x merged patches."""
        return self.visual.merger.hidden_size

    @property
    def pool_projection(self) -> nn.Module:
        """The merger's MLP, which the memory bank's projection starts as a
        copy of."""
        return self.visual.merger.mlp

    @property
    def merge_size(self) -> int:
        return self.config.spatial_merge_size

    @property
    def temporal_patch_size(self) -> int:
        return self.config.temporal_patch_size

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
        expected = int(grid_thw.prod(-1).sum())
        if pixel_values.dim() != 2 or pixel_values.size(0) != expected:
            raise ValueError(
                f'pixel values of shape {tuple(pixel_values.shape)} do not '
                f'match grid_thw {grid_thw.tolist()} ({expected} patches)')
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
