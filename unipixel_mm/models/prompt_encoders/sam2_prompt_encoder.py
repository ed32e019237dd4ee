"""Point and box prompts -> one LLM-width ``<|ref|>`` embedding per object."""
import math
from typing import List, Sequence

import torch
import torch.nn as nn
from sam2.modeling.sam.prompt_encoder import PromptEncoder

from unipixel_mm.registry import MODELS
from ..base import BaseMaskDecoder, BasePromptEncoder, copy_matching_parameters
from ..utils.fp32 import Float32Module
from ..utils.sam2_dtype import follow_reference_dtypes

POSITIVE, NEGATIVE, BOX_TOP_LEFT, BOX_BOTTOM_RIGHT = 1, 0, 2, 3


class TemporalPositionEncoding(nn.Module):
    """Random-frequency sine/cosine encoding of a frame index.

    Args:
        num_pos_feats (int): number of random frequencies F; the encoding
            has 2F channels.
        scale (float): standard deviation of the frequencies.
    """

    def __init__(self, num_pos_feats: int, scale: float = 1.0) -> None:
        super().__init__()
        self.register_buffer('positional_encoding_gaussian_matrix',
                             scale * torch.randn(1, num_pos_feats))

    def forward(self, frame_inds: torch.Tensor,
                num_frames: int) -> torch.Tensor:
        """Encode frame indices.

        Args:
            frame_inds (Tensor): (N,) frame indices in [0, num_frames).
            num_frames (int): clip length the indices are normalised by.

        Returns:
            Tensor: (N, 2F) encodings, computed in float32 and returned in
            the dtype of the frequencies (as the reference).
        """
        matrix = self.positional_encoding_gaussian_matrix
        with torch.autocast(matrix.device.type, enabled=False):
            pos = frame_inds.float().unsqueeze(-1) / max(num_frames - 1, 1)
            pos = 2 * math.pi * ((2 * pos - 1) @ matrix.float())
            pos = torch.cat([pos.sin(), pos.cos()], dim=-1)
        return pos.to(matrix.dtype)


@MODELS.register_module()
class SAM2PromptEncoder(Float32Module, BasePromptEncoder):
    """Encode each object's point or box prompt into one LLM embedding.

    A SAM prompt encoder embeds the prompt (a point gives 2 sparse tokens with
    SAM's padding token, a box 3); a linear layer per prompt kind maps the
    flattened tokens to 3C. The frame the prompt lies on is encoded by a
    random-frequency temporal encoding plus a learned embedding, projected to
    3C; both parts are concatenated and projected to the LLM width.

    Args:
        embed_dim (int): SAM prompt width C.
        llm_dim (int): LLM hidden width D.
        image_size (int): side S of the square SAM2 frame prompts live in.
        feat_size (int): side of SAM2's image embedding grid (``S / 16``).
        mask_in_chans (int): hidden channels of the SAM mask prompt branch
            (unused by point/box prompts; kept for checkpoint compatibility).
        with_temporal (bool): add the temporal encoding of the prompt frame.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 embed_dim: int,
                 llm_dim: int,
                 image_size: int,
                 feat_size: int,
                 mask_in_chans: int = 16,
                 with_temporal: bool = True,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.image_size = image_size
        self.with_temporal = with_temporal
        self.sam_prompt_encoder = PromptEncoder(
            embed_dim=embed_dim,
            image_embedding_size=(feat_size, feat_size),
            input_image_size=(image_size, image_size),
            mask_in_chans=mask_in_chans)
        follow_reference_dtypes(self.sam_prompt_encoder)
        self.point_proj = nn.Linear(embed_dim * 2, embed_dim * 3)
        self.box_proj = nn.Linear(embed_dim * 3, embed_dim * 3)
        if with_temporal:
            self.temporal_pe = TemporalPositionEncoding(embed_dim // 2)
            self.temporal_embed = nn.Embedding(1, embed_dim)
            self.temporal_proj = nn.Linear(embed_dim, embed_dim * 3)
        in_dim = embed_dim * (6 if with_temporal else 3)
        self.out_proj = nn.Sequential(nn.GELU(), nn.Linear(in_dim, llm_dim))

    def init_weights(self) -> None:
        """Xavier-uniform projections with zero biases (as the reference);
        the SAM prompt encoder is copied from SAM2's by ``UniPixel``."""
        super().init_weights()
        projections = [self.point_proj, self.box_proj, self.out_proj[1]]
        if self.with_temporal:
            projections.append(self.temporal_proj)
            nn.init.normal_(self.temporal_embed.weight, std=0.02)
        for layer in projections:
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def _check(self, coords: torch.Tensor, labels: torch.Tensor,
               index: int) -> None:
        if coords.dim() != 2 or coords.size(-1) != 2 or \
                labels.shape != coords.shape[:1]:
            raise ValueError(
                f'Prompt of object {index}: expected coords (P, 2) and labels '
                f'(P,), got {tuple(coords.shape)} and {tuple(labels.shape)}')
        kinds = labels.tolist()
        if kinds not in ([POSITIVE], [NEGATIVE],
                         [BOX_TOP_LEFT, BOX_BOTTOM_RIGHT]):
            raise ValueError(
                f'Prompt of object {index} has labels {kinds}: a prompt is '
                'one point (label 1 or 0) or one box (labels [2, 3])')
        if (coords < 0).any() or (coords > self.image_size).any():
            raise ValueError(
                f'Prompt of object {index} at {coords.tolist()} lies outside '
                f'the {self.image_size}x{self.image_size} SAM2 frame')
        if len(kinds) == 2 and (coords[1] < coords[0]).any():
            raise ValueError(f'Box of object {index} {coords.tolist()} has '
                             'its bottom-right corner before its top-left')

    def init_from_mask_decoder(self, mask_decoder: BaseMaskDecoder) -> None:
        """Starts the SAM prompt encoder as a copy of the mask decoder's, as
        the reference does."""
        source = mask_decoder.prompt_encoder_to_copy()
        if source is not None:
            copy_matching_parameters(self.sam_prompt_encoder, source)

    def forward(self, coords: Sequence[torch.Tensor],
                labels: Sequence[torch.Tensor], frames: torch.Tensor,
                num_frames: int) -> torch.Tensor:
        """Embed the prompts of the objects of one sample.

        Args:
            coords (Sequence[Tensor]): per object (P, 2) (x, y) in pixels of
                the SAM2 frame, P = 1 (point) or 2 (box corners).
            labels (Sequence[Tensor]): per object (P,) point labels.
            frames (Tensor): (O,) index of the frame of each prompt.
            num_frames (int): number of frames of the clip.

        Returns:
            Tensor: (O, D) one embedding per object.
        """
        if len(coords) != len(labels) or len(coords) != frames.numel():
            raise ValueError(
                f'{len(coords)} prompt coordinates, {len(labels)} labels and '
                f'{frames.numel()} prompt frames: one of each per object')
        if frames.numel() and ((frames < 0).any() or
                               (frames >= num_frames).any()):
            raise ValueError(f'Prompt frames {frames.tolist()} lie outside '
                             f'the clip of {num_frames} frames')
        device = self.point_proj.weight.device
        tokens: List[torch.Tensor] = []
        for index, (xy, label) in enumerate(zip(coords, labels)):
            self._check(xy, label, index)
            sparse, _ = self.sam_prompt_encoder(
                points=(xy[None].to(device,
                                    torch.float32), label[None].to(device)),
                boxes=None,
                masks=None)
            proj = self.point_proj if label.numel() == 1 else self.box_proj
            tokens.append(proj(sparse.flatten(1)))
        embeds = torch.cat(tokens)
        if self.with_temporal:
            temporal = self.temporal_pe(frames.to(device), num_frames)
            temporal = self.temporal_proj(temporal +
                                          self.temporal_embed.weight)
            embeds = torch.cat([embeds, temporal], dim=1)
        return self.out_proj(embeds)
