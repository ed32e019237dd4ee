"""A vision tokenizer made of any image backbone and a projector.

The backbone may come from another toolkit's registry (``mmdet.ResNet``,
``mmpretrain.ConvNeXt``...) or from timm (:class:`TimmBackbone`), so an
ablation config swaps UniPixel's vision encoder across toolkits while the
data pipeline (Qwen2.5-VL patches) stays the same.
"""
from dataclasses import asdict, dataclass
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from unipixel_mm.registry import MODELS
from ..base import BaseVisionTokenizer
from .qwen_vision_tokenizer import VisionTokens


@dataclass
class BackboneVisionConfig:
    """The patch layout a backbone tokenizer reads, as Qwen2.5-VL names it.

    Attributes:
        patch_size (int): side of a patch in pixels.
        spatial_merge_size (int): patches merged per token along a side.
        temporal_patch_size (int): frames per temporal group.
        tokens_per_second (float): temporal positions per second (M-RoPE).
    """
    patch_size: int = 14
    spatial_merge_size: int = 2
    temporal_patch_size: int = 2
    tokens_per_second: float = 4

    def to_dict(self) -> dict:
        return asdict(self)


@MODELS.register_module()
class TimmBackbone(BaseModule):
    """A timm model as a feature-pyramid backbone.

    Args:
        model_name (str): timm model name, e.g. ``'resnet18'``.
        out_indices (Sequence[int]): feature levels to return.
        pretrained (bool): load timm's pretrained weights (downloads).
        init_cfg (dict, optional): mmengine init config.
        **kwargs: other ``timm.create_model`` arguments.
    """

    def __init__(self,
                 model_name: str,
                 out_indices: Sequence[int] = (-1, ),
                 pretrained: bool = False,
                 init_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(init_cfg=init_cfg)
        try:
            import timm
        except ImportError as e:
            raise ImportError('TimmBackbone needs timm: `pip install timm`') \
                from e
        self.model = timm.create_model(
            model_name,
            pretrained=pretrained,
            features_only=True,
            out_indices=tuple(out_indices),
            **kwargs)

    def forward(self, x: torch.Tensor) -> tuple:
        """(N, 3, H, W) images -> tuple of (N, C_i, H_i, W_i) features."""
        return tuple(self.model(x))


@MODELS.register_module()
class BackboneVisionTokenizer(BaseVisionTokenizer):
    """Tokenise images / videos with an image backbone and a projector.

    The flattened Qwen2.5-VL patches are put back into frames; the
    backbone runs on every frame; the feature level ``feature_index`` is
    averaged over each temporal group (``temporal_patch_size`` frames) and
    average-pooled onto the merged-token grid (one token per
    ``patch_size * spatial_merge_size`` pixels); the projector maps each
    token to the LLM width. The pooled features are also the memory bank's
    input (``pool_features``).

    The projector is stored as ``visual.merger.mlp``, the path of
    Qwen2.5-VL's merger MLP, with the same (Linear, GELU, Linear) layout,
    so that UniPixel's ``init_weights`` copies it into the memory bank's
    projection as it does with the Qwen encoder. The backbone sees the
    frames normalised with the Qwen2.5-VL (CLIP) statistics.

    Args:
        backbone (dict): config of the backbone; any registered module whose
            forward maps (N, 3, H, W) images to a tensor or a tuple / list of
            (N, C, h, w) features: ``type='mmdet.ResNet'``,
            ``type='mmpretrain.ResNet'``, ``type='TimmBackbone'``...
        embed_dim (int): width of the tokens (the LLM width).
        feature_index (int): which backbone output to use.
        feat_channels (int, optional): channels of that output; found with a
            forward pass on a blank image when not given.
        patch_size (int): Qwen2.5-VL patch size of the pixel values.
        spatial_merge_size (int): patches per token along a side.
        temporal_patch_size (int): frames per temporal group.
        tokens_per_second (float): temporal positions per second.
        in_channels (int): image channels.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 backbone: dict,
                 embed_dim: int,
                 feature_index: int = -1,
                 feat_channels: Optional[int] = None,
                 patch_size: int = 14,
                 spatial_merge_size: int = 2,
                 temporal_patch_size: int = 2,
                 tokens_per_second: float = 4,
                 in_channels: int = 3,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self._config = BackboneVisionConfig(patch_size, spatial_merge_size,
                                            temporal_patch_size,
                                            tokens_per_second)
        self.in_channels = in_channels
        self.feature_index = feature_index
        self._embed_dim = embed_dim
        backbone = MODELS.build(backbone)
        if feat_channels is None:
            feat_channels = self._probe_channels(backbone)
        mlp = nn.Sequential(
            nn.Linear(feat_channels, feat_channels), nn.GELU(),
            nn.Linear(feat_channels, embed_dim))
        self.visual = nn.ModuleDict(
            dict(backbone=backbone, merger=nn.ModuleDict(dict(mlp=mlp))))

    def _select(self, features: Union[torch.Tensor, Sequence]) -> torch.Tensor:
        if isinstance(features, torch.Tensor):
            return features
        return features[self.feature_index]

    @torch.no_grad()
    def _probe_channels(self, backbone: nn.Module) -> int:
        side = 2 * self.config.patch_size * self.merge_size
        training = backbone.training
        backbone.eval()
        blank = torch.zeros(1, self.in_channels, side, side)
        channels = self._select(backbone(blank)).size(1)
        backbone.train(training)
        return channels

    @property
    def config(self) -> BackboneVisionConfig:
        return self._config

    @property
    def embed_dim(self) -> int:
        """Width D of the tokens (the LLM width)."""
        return self._embed_dim

    @property
    def pool_dim(self) -> int:
        """Width of ``pool_features``: the backbone's feature channels."""
        return self.visual.merger.mlp[0].in_features

    @property
    def merge_size(self) -> int:
        return self.config.spatial_merge_size

    @property
    def temporal_patch_size(self) -> int:
        return self.config.temporal_patch_size

    def unpatchify(self, pixel_values: torch.Tensor,
                   grid_thw: Sequence[int]) -> torch.Tensor:
        """The frames of one item from its Qwen2.5-VL patches.

        Args:
            pixel_values (Tensor): (t * h * w, C * tps * p * p) patches in
                the processor's order (t, h / m, w / m, m, m).
            grid_thw (Sequence[int]): (t, h, w) patch grid.

        Returns:
            Tensor: (t * tps, C, h * p, w * p) frames.
        """
        t, h, w = (int(x) for x in grid_thw)
        m, p = self.merge_size, self.config.patch_size
        tps = self.temporal_patch_size
        x = pixel_values.view(t, h // m, w // m, m, m, self.in_channels, tps,
                              p, p)
        x = x.permute(0, 6, 5, 1, 3, 7, 2, 4, 8)
        return x.reshape(t * tps, self.in_channels, h * p, w * p)

    def projector_to_copy(self) -> nn.Module:
        """The projector MLP (the memory bank starts as its copy)."""
        return self.visual.merger.mlp

    def forward(self, pixel_values: torch.Tensor,
                grid_thw: torch.Tensor) -> VisionTokens:
        """Tokenise images / videos.

        Args:
            pixel_values (Tensor): (P, 3 * t_patch * patch * patch) flattened
                patches of all items, as the Qwen2.5-VL processor gives them.
            grid_thw (Tensor): (V, 3) (t, h, w) patch grid of each item.

        Returns:
            VisionTokens: per item (N_i, D) tokens and (N_i, C) pooled
            backbone features, N_i = t * (h / m) * (w / m), raster order.
        """
        self.check_patches(pixel_values, grid_thw)
        param = next(self.visual.parameters())
        pixel_values = pixel_values.to(param.dtype)
        m, tps = self.merge_size, self.temporal_patch_size
        embeds, features = [], []
        for patches, thw in zip(
                pixel_values.split(grid_thw.prod(-1).tolist()), grid_thw):
            t, h, w = thw.tolist()
            frames = self.unpatchify(patches, thw)
            feat = self._select(self.visual.backbone(frames))
            feat = feat.unflatten(0, (t, tps)).mean(1)
            feat = F.adaptive_avg_pool2d(feat, (h // m, w // m))
            feat = feat.permute(0, 2, 3, 1).flatten(0, 2)
            features.append(feat)
            embeds.append(self.visual.merger.mlp(feat))
        return VisionTokens(embeds, features, grid_thw)
