"""Mask prompts -> ``<|mem|>`` embeddings pooled from visual features."""
from typing import Optional

import torch
import torch.nn as nn

from unipixel_mm.registry import MODELS
from ..base import (BaseMemoryBank, BaseVisionTokenizer,
                    copy_matching_parameters)


@MODELS.register_module()
class ObjectMemoryBank(BaseMemoryBank):
    """Pool one memory embedding per object per temporal group.

    For each object of a mask prompt and each temporal group (two frames
    merged by the vision tokenizer) in which the object is present, the
    visual features under the mask are averaged and projected to the LLM
    width; each such pair is one ``<|mem|>`` token, object by object, group
    by group.

    Args:
        in_dim (int): width of the pooled visual features.
        embed_dim (int): LLM hidden width D.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 in_dim: int,
                 embed_dim: int,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.proj = nn.Sequential(
            nn.Linear(in_dim, in_dim), nn.GELU(), nn.Linear(in_dim, embed_dim))

    @staticmethod
    def num_tokens(prompt_masks: torch.Tensor) -> int:
        """Number of ``<|mem|>`` tokens a (G, O, h, w) mask prompt needs."""
        return int(prompt_masks.flatten(2).any(-1).sum())

    def init_from_vision_tokenizer(
            self, vision_tokenizer: BaseVisionTokenizer) -> None:
        """Starts the projection as a copy of the vision tokenizer's
        projector (Qwen2.5-VL's merger MLP), as the reference does."""
        source = vision_tokenizer.projector_to_copy()
        if source is not None:
            copy_matching_parameters(self.proj, source)

    def forward(self, features: torch.Tensor,
                prompt_masks: torch.Tensor) -> torch.Tensor:
        """Pool and project.

        Args:
            features (Tensor): (G * h * w, C) features of one visual item,
                G temporal groups of an h x w merged-token grid.
            prompt_masks (Tensor): (G, O, h, w) bool masks on that grid.

        Returns:
            Tensor: (M, D) with M the number of (object, group) pairs where
            the object's mask is not empty.
        """
        if prompt_masks.dim() != 4 or prompt_masks[:, 0].numel() != \
                features.size(0):
            raise ValueError(
                f'Mask prompt of shape {tuple(prompt_masks.shape)} (expected '
                '(groups, objects, h, w)) does not cover the '
                f'{features.size(0)} merged visual tokens of its video')
        masks = prompt_masks.to(features.device).bool()
        masks = masks.permute(1, 0, 2, 3).flatten(2)  # (O, G, h * w)
        groups = features.view(masks.size(1), masks.size(2), -1)
        present = masks.any(-1)  # (O, G)
        weights = masks[present].to(features.dtype)  # (M, h * w)
        group_index = present.nonzero()[:, 1]
        pooled = torch.einsum('mn,mnc->mc', weights, groups[group_index])
        pooled = pooled / weights.sum(-1, keepdim=True)
        return self.proj(pooled)
