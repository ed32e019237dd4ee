"""SAM2 as UniPixel's mask decoder: ``<|seg|>`` prompt tokens -> masklets."""
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional, Set, Tuple, Union

import torch
import torch.nn.functional as F
from sam2.modeling.sam2_base import NO_OBJ_SCORE
from torch import nn
from tqdm import tqdm

from unipixel_mm.registry import MODELS
from ..base import BaseMaskDecoder
from ..checkpoint.weight_names import file_weight_names
from ..utils.fp32 import Float32Module
from .sam2_builder import build_sam2_base

# (vision_feats, vision_pos_embeds, feat_sizes) of one frame, features as
# (HW, B, C) per level, as ``SAM2Base._prepare_backbone_features`` gives them.
FrameFeatures = Tuple[List[torch.Tensor], List[torch.Tensor], List[Tuple[int,
                                                                         int]]]


@dataclass
class HeadOutput:
    """Output of the SAM heads on one frame for B objects.

    Attributes:
        low_res_multimasks (Tensor): (B, M, S/4, S/4) mask logits.
        high_res_multimasks (Tensor, optional): (B, M, S, S) mask logits,
            computed in training only (the loss reads them).
        ious (Tensor): (B, M) predicted IoU of each candidate.
        low_res_masks (Tensor): (B, 1, S/4, S/4) the best candidate.
        high_res_masks (Tensor): (B, 1, S, S) the best candidate.
        obj_ptr (Tensor): (B, C) object pointer for the memory.
        object_score_logits (Tensor): (B, 1) object presence logit.
    """
    low_res_multimasks: torch.Tensor
    high_res_multimasks: Optional[torch.Tensor]
    ious: torch.Tensor
    low_res_masks: torch.Tensor
    high_res_masks: torch.Tensor
    obj_ptr: torch.Tensor
    object_score_logits: torch.Tensor


@MODELS.register_module()
class SAM2Decoder(Float32Module, BaseMaskDecoder):
    """Segment and track objects through frames from prompt tokens with SAM2.

    The modules (Hiera image encoder, memory attention, memory encoder, prompt
    encoder and mask decoder) are those of the ``sam2`` package; the
    propagation is this class's: every frame is encoded once and all objects
    are tracked together as one batch. Each object's prompt tokens (the
    projected hidden state of its ``<|seg|>`` token) join the sparse prompt of
    the SAM mask decoder on the object's first frame.

    Args:
        sam2_config (str | dict): SAM2 hydra yaml (path or sam2 package name)
            or the dict of its ``model`` node.
        image_size (int, optional): side of the square SAM2 frames; overrides
            the config.
        sam2_overrides (dict, optional): other ``SAM2Base`` options.
        checkpoint (str, optional): a ``sam2`` package checkpoint (``.pt``
            with a ``model`` state dict) loaded at ``init_weights``.
        mask_no_object_in_eval (bool): in eval mode, set the mask logits of
            objects predicted absent to SAM2's no-object score, as SAM2's
            video predictor does. Defaults to True.
        frame_chunk_size (int, optional): how many frames the image encoder
            takes at once at inference; ``None`` encodes the whole clip in
            one pass. Smaller chunks bound memory on long videos.
            Defaults to 8.
        init_cfg (dict, optional): mmengine init config.

    Note:
        Under UniPixel's ``'sam2_float32'`` precision policy the module stays
        float32 when the model is cast to half precision (see
        :class:`Float32Module`); under ``'reference'`` it is cast with the
        model and computes as the reference's SAM2 in that dtype. Frames and
        prompt tokens are cast to its dtype on the way in.
    """

    def __init__(self,
                 sam2_config: Union[str, dict],
                 image_size: Optional[int] = None,
                 sam2_overrides: Optional[dict] = None,
                 checkpoint: Optional[str] = None,
                 mask_no_object_in_eval: bool = True,
                 frame_chunk_size: Optional[int] = 8,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.sam2 = build_sam2_base(sam2_config, image_size,
                                    **(sam2_overrides or {}))
        self.sam2_config = sam2_config
        self.checkpoint = checkpoint
        self.mask_no_object_in_eval = mask_no_object_in_eval
        self.frame_chunk_size = frame_chunk_size

    @property
    def embed_dim(self) -> int:
        """Width C of a prompt token (the SAM2 transformer width)."""
        return self.sam2.hidden_dim

    @property
    def image_size(self) -> int:
        return self.sam2.image_size

    @property
    def feat_size(self) -> int:
        """Side of the image embedding grid (``image_size / 16``)."""
        return self.sam2.sam_image_embedding_size

    def pretrained_weight_names(self) -> Set[str]:
        """The names that ``init_weights`` loads from ``checkpoint``."""
        return file_weight_names(self) if self.checkpoint else set()

    def prompt_encoder_to_copy(self) -> nn.Module:
        """SAM2's point / box prompt encoder."""
        return self.sam2.sam_prompt_encoder

    def init_weights(self) -> None:
        super().init_weights()
        if self.checkpoint is not None:
            state = torch.load(
                self.checkpoint, map_location='cpu', weights_only=True)
            self.sam2.load_state_dict(state.get('model', state), strict=True)

    # ------------------------------------------------------------------ #
    # frame features
    # ------------------------------------------------------------------ #
    def encode_frames(self, frames: torch.Tensor) -> FrameFeatures:
        """Run the image encoder on frames.

        Args:
            frames (Tensor): (T, 3, S, S) SAM2-normalised frames.

        Returns:
            FrameFeatures: per level (HW, T, C) features and position
            encodings, and the (H, W) of each level.
        """
        backbone_out = self.sam2.forward_image(frames.to(self._dtype()))
        _, feats, pos, sizes = self.sam2._prepare_backbone_features(
            backbone_out)
        return feats, pos, sizes

    def _dtype(self) -> torch.dtype:
        return self.sam2.image_encoder.trunk.patch_embed.proj.weight.dtype

    def _streamed_features(self, frames: torch.Tensor,
                           num_objects: int) -> Callable[[int], FrameFeatures]:
        """Frame features computed chunk by chunk, expanded to all objects.

        Only the current chunk's features are held, so memory does not grow
        with the number of frames.
        """
        chunk = self.frame_chunk_size or frames.size(0)
        cache: Dict[str, object] = dict(start=-1, feats=None)

        def get(t: int) -> FrameFeatures:
            start = t - t % chunk
            if cache['start'] != start:
                cache['feats'] = self.encode_frames(frames[start:start +
                                                           chunk])
                cache['start'] = start
            feats, pos, sizes = cache['feats']
            i = t - start
            return ([x[:, i:i + 1].expand(-1, num_objects, -1) for x in feats],
                    [x[:, i:i + 1].expand(-1, num_objects, -1)
                     for x in pos], sizes)

        return get

    # ------------------------------------------------------------------ #
    # SAM heads
    # ------------------------------------------------------------------ #
    def empty_prompt(
        self, pix_feat: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """SAM2's prompt encoding of "no click" and its image positions.

        Args:
            pix_feat (Tensor): (B, C, h, w) an image embedding of the batch
                (its size, device and dtype are read).

        Returns:
            tuple[Tensor, Tensor, Tensor]: (B, 2, C) sparse and (B, C, h, w)
            dense embeddings of an empty point prompt, and the (1, C, h, w)
            positional encoding of the image embedding. They depend on the
            weights only, so a tracking pass computes them once.
        """
        sam = self.sam2
        batch_size, device = pix_feat.size(0), pix_feat.device
        no_click = (pix_feat.new_zeros(batch_size, 1, 2),
                    -torch.ones(batch_size, 1, dtype=torch.int32,
                                device=device))
        sparse, dense = sam.sam_prompt_encoder(
            points=no_click, boxes=None, masks=None)
        return sparse, dense, sam.sam_prompt_encoder.get_dense_pe()

    def forward_heads(
        self,
        pix_feat: torch.Tensor,
        high_res_features: Optional[List[torch.Tensor]],
        prompt_tokens: Optional[torch.Tensor],
        multimask_output: bool,
        empty_prompt: Optional[Tuple[torch.Tensor, torch.Tensor,
                                     torch.Tensor]] = None
    ) -> HeadOutput:
        """Decode masks from memory-conditioned features and prompt tokens.

        Args:
            pix_feat (Tensor): (B, C, h, w) image embedding with memory.
            high_res_features (list[Tensor], optional): (B, C/8, 4h, 4w) and
                (B, C/4, 2h, 2w) features for the mask upsampler.
            prompt_tokens (Tensor, optional): (B, K, C) tokens added to the
                sparse prompt (an empty point prompt stands for no click).
            multimask_output (bool): predict 3 candidates and keep the one of
                highest predicted IoU.
            empty_prompt (tuple, optional): :meth:`empty_prompt` for this
                batch, computed here when not given.

        Returns:
            HeadOutput: masks, IoUs, object pointers and presence logits.
        """
        sam = self.sam2
        batch_size = pix_feat.size(0)
        device = pix_feat.device
        sparse, dense, image_pe = empty_prompt or self.empty_prompt(pix_feat)
        if prompt_tokens is not None:
            sparse = torch.cat([sparse, prompt_tokens.to(sparse.dtype)], dim=1)
        low_res_multimasks, ious, out_tokens, object_score_logits = \
            sam.sam_mask_decoder(
                image_embeddings=pix_feat,
                image_pe=image_pe,
                sparse_prompt_embeddings=sparse,
                dense_prompt_embeddings=dense,
                multimask_output=multimask_output,
                repeat_image=False,
                high_res_features=high_res_features)

        is_obj_appearing = object_score_logits > 0
        if sam.pred_obj_scores and self.mask_no_object_in_eval \
                and not self.training:
            low_res_multimasks = torch.where(is_obj_appearing[:, None, None],
                                             low_res_multimasks, NO_OBJ_SCORE)
        out_token = out_tokens[:, 0]
        if multimask_output:
            best = torch.argmax(ious, dim=-1)
            rows = torch.arange(batch_size, device=device)
            low_res_masks = low_res_multimasks[rows, best].unsqueeze(1)
            if out_tokens.size(1) > 1:
                out_token = out_tokens[rows, best]
        else:
            low_res_masks = low_res_multimasks
        high_res_masks = self._upsample(low_res_masks)
        # all candidates at full size only for the loss
        high_res_multimasks = self._upsample(low_res_multimasks) \
            if self.training else None

        obj_ptr = sam.obj_ptr_proj(out_token)
        if sam.pred_obj_scores:
            if sam.soft_no_obj_ptr:
                appearing = object_score_logits.sigmoid()
            else:
                appearing = is_obj_appearing.to(object_score_logits.dtype)
            if sam.fixed_no_obj_ptr:
                obj_ptr = appearing * obj_ptr
            obj_ptr = obj_ptr + (1 - appearing) * sam.no_obj_ptr

        return HeadOutput(low_res_multimasks, high_res_multimasks, ious,
                          low_res_masks, high_res_masks, obj_ptr,
                          object_score_logits)

    def _upsample(self, masks: torch.Tensor) -> torch.Tensor:
        """(B, M, s, s) logits -> (B, M, S, S) at the SAM2 frame size."""
        size = self.sam2.image_size
        return F.interpolate(
            masks.float(),
            size=(size, size),
            mode='bilinear',
            align_corners=False).to(masks.dtype)

    # ------------------------------------------------------------------ #
    # tracking
    # ------------------------------------------------------------------ #
    def _memory_window(self) -> int:
        """How many past non-conditioning frames the memory can still read."""
        sam = self.sam2
        stride = 1 if self.training else sam.memory_temporal_stride_for_eval
        reach = sam.num_maskmem * stride
        if sam.use_obj_ptrs_in_encoder:
            reach = max(reach, sam.max_obj_ptrs_in_encoder)
        return reach + 1

    def track(
        self,
        frame_features: Callable[[int], FrameFeatures],
        prompt_tokens: torch.Tensor,
        num_frames: int,
        memory: Optional[Dict[str, dict]] = None
    ) -> Iterator[Tuple[int, HeadOutput]]:
        """Track B objects prompted on frame 0 through ``num_frames`` frames.

        Frame 0 is the conditioning frame: its features get SAM2's no-memory
        embedding and the SAM heads read the prompt tokens. Every later frame
        attends to the memory of frame 0 and of the preceding frames. The
        memory of frame ``num_frames - 1`` is not encoded (no frame reads it).

        Args:
            frame_features (callable): ``t -> FrameFeatures`` with batch B.
            prompt_tokens (Tensor): (B, K, C) prompt tokens.
            num_frames (int): number of frames T. In forward tracking it
                bounds the object-pointer lookback (``min(T, 16)`` pointers
                in SAM2) and ends the tracking; a stream of unknown length
                passes a bound larger than any frame index.
            memory (dict, optional): the memory bank to fill, empty
                ``cond_frame_outputs`` / ``non_cond_frame_outputs`` dicts;
                given by a caller that accounts for it (a new one otherwise).

        Yields:
            tuple[int, HeadOutput]: the frame index and the heads' output.
        """
        sam = self.sam2
        if memory is None:
            memory = dict(cond_frame_outputs={}, non_cond_frame_outputs={})
        window = self._memory_window()
        empty_prompt = None
        for t in range(num_frames):
            is_cond = t == 0
            feats, pos, sizes = frame_features(t)
            high_res = [
                x.permute(1, 2, 0).reshape(x.size(1), x.size(2), *s)
                for x, s in zip(feats[:-1], sizes[:-1])
            ] if len(feats) > 1 else None
            pix_feat = sam._prepare_memory_conditioned_features(
                frame_idx=t,
                is_init_cond_frame=is_cond,
                current_vision_feats=feats[-1:],
                current_vision_pos_embeds=pos[-1:],
                feat_sizes=sizes[-1:],
                output_dict=memory,
                num_frames=num_frames)
            empty_prompt = empty_prompt or self.empty_prompt(pix_feat)
            heads = self.forward_heads(pix_feat, high_res,
                                       prompt_tokens if is_cond else None,
                                       sam._use_multimask(is_cond, None),
                                       empty_prompt)
            if t == num_frames - 1:
                # no later frame reads the memory of the last one
                yield t, heads
                return
            mem_feats, mem_pos = sam._encode_new_memory(
                current_vision_feats=feats,
                feat_sizes=sizes,
                pred_masks_high_res=heads.high_res_masks,
                object_score_logits=heads.object_score_logits,
                is_mask_from_pts=is_cond and not self.training)
            key = 'cond_frame_outputs' if is_cond else 'non_cond_frame_outputs'
            memory[key][t] = dict(
                maskmem_features=mem_feats,
                maskmem_pos_enc=mem_pos,
                obj_ptr=heads.obj_ptr,
                pred_masks=heads.low_res_masks,
                object_score_logits=heads.object_score_logits)
            memory['non_cond_frame_outputs'].pop(t - window, None)
            yield t, heads

    def loss_outputs(self, frames: torch.Tensor, prompt_tokens: torch.Tensor,
                     obj_to_frame: torch.Tensor) -> List[HeadOutput]:
        """Track objects for training, with gradients, on every frame.

        Args:
            frames (Tensor): (T, 3, S, S) frames of one sample.
            prompt_tokens (Tensor): (O, K, C) prompt tokens.
            obj_to_frame (Tensor): (T, O, 2) [frame, video] index of the
                frame each object is tracked on at each step.

        Returns:
            list[HeadOutput]: one per step, batch O.
        """
        num_steps, num_frames = obj_to_frame.size(0), frames.size(0)
        feats, pos, sizes = self.encode_frames(frames)
        flat_index = (obj_to_frame[..., 1] * num_frames +
                      obj_to_frame[..., 0]).long()

        def select(t: int) -> FrameFeatures:
            ids = flat_index[t].to(feats[0].device)
            return [x[:, ids] for x in feats], [x[:, ids] for x in pos], sizes

        return [
            heads for _, heads in self.track(select, prompt_tokens, num_steps)
        ]

    @torch.no_grad()
    def predict(self,
                frames: torch.Tensor,
                prompt_tokens: torch.Tensor,
                frame_size: Tuple[int, int],
                batch_objects: bool = True,
                progress: bool = False) -> Tuple[torch.Tensor, torch.Tensor]:
        """Segment objects on every frame at the original resolution.

        Args:
            frames (Tensor): (T, 3, S, S) SAM2-normalised frames.
            prompt_tokens (Tensor): (O, K, C) prompt tokens.
            frame_size (tuple[int, int]): (H, W) of the returned masks.
            batch_objects (bool): track all objects as one batch (each frame
                encoded once); otherwise one object after the other, each with
                its own pass over the frames.
            progress (bool): show a progress bar over the frames.

        Returns:
            tuple[Tensor, Tensor]: (O, T, H, W) bool masks and (O, T)
            object-presence logits.
        """
        if not batch_objects and prompt_tokens.size(0) > 1:
            results = [
                self.predict(
                    frames, tokens[None], frame_size, progress=progress)
                for tokens in prompt_tokens
            ]
            return (torch.cat([m for m, _ in results]),
                    torch.cat([s for _, s in results]))

        num_objects, num_frames = prompt_tokens.size(0), frames.size(0)
        height, width = (int(x) for x in frame_size)
        masks = torch.zeros(
            num_objects, num_frames, height, width, dtype=torch.bool)
        scores = torch.zeros(num_objects, num_frames)
        # the outputs are allocated outside inference mode, so callers may
        # still modify them in place
        with torch.inference_mode():
            features = self._streamed_features(frames, num_objects)
            tracked = self.track(features, prompt_tokens, num_frames)
            for t, heads in tqdm(
                    tracked,
                    total=num_frames,
                    desc='propagating',
                    disable=not progress):
                # in the masks' dtype, as the reference resizes its outputs
                logits = F.interpolate(
                    heads.low_res_masks,
                    size=(height, width),
                    mode='bilinear',
                    align_corners=False)
                masks[:, t] = (logits[:, 0] > 0).cpu()
                scores[:, t] = heads.object_score_logits[:, 0].float().cpu()
        return masks, scores
