"""What UniPixel relies on from each kind of component.

A new vision tokenizer, prompt encoder, memory bank or mask decoder is
written against these classes, not against Qwen's or SAM2's internals: the
assembler (:class:`~unipixel_mm.models.UniPixel`) reads only the attributes
listed here, and ``init_weights`` initialises one component from another
only through the ``init_from_*`` / ``*_to_copy`` methods.
"""
from abc import abstractmethod
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule
from torch import nn


@torch.no_grad()
def copy_matching_parameters(target: nn.Module, source: nn.Module) -> None:
    """Copies ``source``'s parameters into ``target``'s, in order, where the
    shapes agree (parameters only, no buffers)."""
    for dst, src in zip(target.parameters(), source.parameters()):
        if dst.shape == src.shape:
            dst.copy_(src)


class BaseVisionTokenizer(BaseModule):
    """Images / videos -> visual tokens of the LLM width.

    Attributes the assembler reads: ``embed_dim`` (token width, the LLM's),
    ``pool_dim`` (width of the features the memory bank pools),
    ``merge_size`` and ``temporal_patch_size`` (the token grid, see
    :func:`~unipixel_mm.text.masks_to_token_grid`) and ``config`` with
    ``patch_size`` and ``tokens_per_second``.
    """

    @abstractmethod
    def forward(self, pixel_values: torch.Tensor, grid_thw: torch.Tensor):
        """Patches -> ``VisionTokens`` (per input: tokens, pool features,
        grid)."""

    def projector_to_copy(self) -> Optional[nn.Module]:
        """The module mapping pooled features to the LLM width, which a
        memory bank may start as a copy of; None when there is none."""
        return None

    @staticmethod
    def check_patches(pixel_values: torch.Tensor,
                      grid_thw: torch.Tensor) -> None:
        """Raises a ValueError unless ``pixel_values`` is (P, D) with P the
        number of patches of the (V, 3) (t, h, w) grids ``grid_thw``."""
        expected = int(grid_thw.prod(-1).sum())
        if pixel_values.dim() != 2 or pixel_values.size(0) != expected:
            raise ValueError(
                f'pixel values of shape {tuple(pixel_values.shape)} do not '
                f'match grid_thw {grid_thw.tolist()} ({expected} patches)')


class BasePromptEncoder(BaseModule):
    """Point / box prompts -> one ``<|ref|>`` embedding per object."""

    @abstractmethod
    def forward(self, *args, **kwargs) -> torch.Tensor:
        """Prompts -> (O, C) embeddings of the LLM width."""

    def init_from_mask_decoder(self, mask_decoder: 'BaseMaskDecoder') -> None:
        """Initialises from the mask decoder's weights (nothing by
        default)."""


class BaseMemoryBank(BaseModule):
    """Mask prompts -> ``<|mem|>`` embeddings (``num_tokens`` per group)."""

    @abstractmethod
    def forward(self, features: torch.Tensor, *args,
                **kwargs) -> torch.Tensor:
        """Pooled vision features -> (N, C) embeddings of the LLM width."""

    def init_from_vision_tokenizer(self,
                                   vision_tokenizer: BaseVisionTokenizer
                                   ) -> None:
        """Initialises from the vision tokenizer's weights (nothing by
        default)."""


class BaseMaskDecoder(BaseModule):
    """SAM2-style prompt tokens -> masklets tracked through the frames.

    Attributes the assembler reads: ``embed_dim`` (prompt width),
    ``image_size`` (frame size it segments at) and ``feat_size`` (its
    feature map's size).
    """

    @abstractmethod
    def predict(self, frames: torch.Tensor, prompts: torch.Tensor,
                size: Tuple[int, int],
                **kwargs) -> Tuple[torch.Tensor, torch.Tensor]:
        """(T, 3, S, S) frames and (O, K, C) prompts -> (O, T, H, W) bool
        masks and (O, T) object scores."""

    @abstractmethod
    def loss_outputs(self, frames: torch.Tensor, prompt_tokens: torch.Tensor,
                     *args, **kwargs):
        """The per-step outputs the masklet loss is computed from."""

    def prompt_encoder_to_copy(self) -> Optional[nn.Module]:
        """Its point / box prompt encoder, which a ``<|ref|>`` prompt
        encoder may start as a copy of; None when there is none."""
        return None
