"""Run the ``sam2`` package's modules in half precision as the reference does.

The UniPixel reference runs SAM2 entirely in bfloat16 (weights and frames)
with its own copy of ``sam2``, which casts at a few places where the package
either mixes float32 with the weights' dtype (an error in bfloat16) or
computes in a lower precision. :func:`follow_reference_dtypes` adds those
casts to modules of the ``sam2`` package, in place:

- ``PositionEmbeddingRandom`` encodes in float32 (the matrix upcast) and
  returns the encoding in the matrix's dtype;
- SAM's ``PromptEncoder`` returns its sparse embeddings in its weights'
  dtype (the package starts them from an empty float32 tensor);
- ``Hiera`` interpolates its background position embedding in float32;
- ``FpnNeck`` returns its features and position encodings in the weights'
  dtype (the package's float32 top-down path would leak float32 features:
  with nearest top-down interpolation, as every SAM2 config has, the sum
  rounded once equals the reference's);
- the memory encoder and the object-pointer temporal projection take their
  float32 inputs (a binarised mask, a sine encoding) in the weights' dtype.

In float32 every cast is the identity, so the modules compute exactly what
the package computes.
"""
import math
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from sam2.modeling.backbones.hieradet import Hiera
from sam2.modeling.backbones.image_encoder import FpnNeck
from sam2.modeling.memory_encoder import MemoryEncoder
from sam2.modeling.position_encoding import PositionEmbeddingRandom
from sam2.modeling.sam2_base import SAM2Base
from sam2.modeling.sam.prompt_encoder import PromptEncoder


class ReferencePositionEmbeddingRandom(PositionEmbeddingRandom):
    """SAM's random-frequency encoding, computed in float32 and returned in
    the dtype of its frequency matrix."""

    def _pe_encoding(self, coords: torch.Tensor) -> torch.Tensor:
        """(..., 2) coords in [0, 1] -> (..., 2F) encodings, float32."""
        matrix = self.positional_encoding_gaussian_matrix
        coords = (2 * coords - 1) @ matrix.to(coords.dtype)
        coords = 2 * math.pi * coords
        return torch.cat([coords.sin(), coords.cos()], dim=-1)

    def forward(self, size: Tuple[int, int]) -> torch.Tensor:
        """(2F, h, w) encoding of the grid of ``size``."""
        dtype = self.positional_encoding_gaussian_matrix.dtype
        return super().forward(size).to(dtype)

    def forward_with_coords(self, coords_input: torch.Tensor,
                            image_size: Tuple[int, int]) -> torch.Tensor:
        """(B, N, 2F) encoding of (B, N, 2) pixel coordinates."""
        dtype = self.positional_encoding_gaussian_matrix.dtype
        return super().forward_with_coords(coords_input, image_size).to(dtype)


class ReferencePromptEncoder(PromptEncoder):
    """SAM's prompt encoder, with sparse embeddings in its weights' dtype."""

    def forward(self, *args, **kwargs) -> Tuple[torch.Tensor, torch.Tensor]:
        """(B, N, C) sparse and (B, C, h, w) dense prompt embeddings."""
        sparse, dense = super().forward(*args, **kwargs)
        return sparse.to(self.no_mask_embed.weight.dtype), dense


class ReferenceHiera(Hiera):
    """Hiera whose background position embedding is resized in float32."""

    def _get_pos_embed(self, hw: Tuple[int, int]) -> torch.Tensor:
        """(1, h, w, C) position embedding of an (h, w) patch grid."""
        window = self.pos_embed_window
        pos_embed = F.interpolate(
            self.pos_embed.float(), size=hw,
            mode='bicubic').to(self.pos_embed.dtype)
        tiles = [x // y for x, y in zip(pos_embed.shape, window.shape)]
        return (pos_embed + window.tile(tiles)).permute(0, 2, 3, 1)


def _weight_dtype(module: nn.Module) -> torch.dtype:
    return next(module.parameters()).dtype


def _cast_inputs(module: nn.Module, args: tuple) -> tuple:
    """Forward pre-hook: floating tensor arguments in the weights' dtype."""
    dtype = _weight_dtype(module)
    return tuple(
        a.to(dtype) if torch.is_tensor(a) and a.is_floating_point() else a
        for a in args)


def _cast_outputs(module: nn.Module, args: tuple, outputs: tuple) -> tuple:
    """Forward hook of ``FpnNeck``: features and position encodings in the
    weights' dtype."""
    dtype = _weight_dtype(module)
    return tuple([x.to(dtype) for x in out] for out in outputs)


_CLASSES = {
    PositionEmbeddingRandom: ReferencePositionEmbeddingRandom,
    PromptEncoder: ReferencePromptEncoder,
    Hiera: ReferenceHiera,
}


def follow_reference_dtypes(module: nn.Module) -> nn.Module:
    """Make the ``sam2`` modules inside ``module`` cast as the reference.

    Args:
        module (nn.Module): a ``SAM2Base``, a SAM ``PromptEncoder`` or any
            module holding them.

    Returns:
        nn.Module: ``module``, changed in place.
    """
    for sub in module.modules():
        cls = _CLASSES.get(type(sub))
        if cls is not None:
            sub.__class__ = cls
        if isinstance(sub, FpnNeck):
            sub.register_forward_hook(_cast_outputs)
        elif isinstance(sub, MemoryEncoder):
            sub.register_forward_pre_hook(_cast_inputs)
        elif isinstance(sub, SAM2Base) and isinstance(
                getattr(sub, 'obj_ptr_tpos_proj', None), nn.Linear):
            sub.obj_ptr_tpos_proj.register_forward_pre_hook(_cast_inputs)
    return module
