"""SAM2's training loss for masklets: focal + dice + IoU + object score."""
from typing import Dict, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.dist import all_reduce, is_distributed
from torchvision.ops import sigmoid_focal_loss

from unipixel_mm.registry import MODELS


def dice_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Dice loss with +1 smoothing over the last two dims: (B, M, H, W) ->
    (B, M)."""
    prob = logits.sigmoid().flatten(2)
    targets = targets.flatten(2)
    inter = 2 * (prob * targets).sum(-1)
    return 1 - (inter + 1) / (prob.sum(-1) + targets.sum(-1) + 1)


def mask_iou(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """IoU of the binarised logits with binary targets: (B, M, H, W) ->
    (B, M)."""
    pred = logits.flatten(2) > 0
    gt = targets.flatten(2) > 0
    inter = (pred & gt).sum(-1).float()
    union = (pred | gt).sum(-1).float()
    return inter / union.clamp(min=1.0)


@MODELS.register_module()
class MultiStepMaskLoss(nn.Module):
    """SAM2's masklet loss, summed over tracking steps.

    On each step, among the M candidate masks the one with the lowest
    weighted focal + dice loss is supervised; the IoU head is supervised on
    all candidates (``supervise_all_iou``) or on the chosen one; the object
    score is supervised with a focal loss on whether the target is present;
    mask terms count only where the object is present. Terms are normalised
    by the number of objects (averaged over ranks).

    Args:
        loss_weights (dict): weights of ``loss_mask`` (focal), ``loss_dice``,
            ``loss_iou`` and ``loss_class``.
        focal_alpha (float): focal alpha of the mask term.
        focal_gamma (float): focal gamma of the mask term.
        focal_alpha_obj_score (float): focal alpha of the object score term.
        focal_gamma_obj_score (float): focal gamma of the object score term.
        supervise_all_iou (bool): supervise the IoU of every candidate.
        iou_use_l1_loss (bool): L1 instead of MSE for the IoU term.
        pred_obj_scores (bool): whether the model predicts object scores.
    """

    def __init__(self,
                 loss_weights: Dict[str, float] = dict(
                     loss_mask=100.0,
                     loss_dice=5.0,
                     loss_iou=5.0,
                     loss_class=5.0),
                 focal_alpha: float = 0.25,
                 focal_gamma: float = 2.0,
                 focal_alpha_obj_score: float = -1.0,
                 focal_gamma_obj_score: float = 0.0,
                 supervise_all_iou: bool = True,
                 iou_use_l1_loss: bool = True,
                 pred_obj_scores: bool = True) -> None:
        super().__init__()
        expected = {'loss_mask', 'loss_dice', 'loss_iou', 'loss_class'}
        if set(loss_weights) - expected:
            raise KeyError(f'Unknown loss terms {set(loss_weights) - expected}'
                           f'; expected a subset of {sorted(expected)}')
        self.loss_weights = {k: loss_weights.get(k, 0.0) for k in expected}
        self.focal_alpha = focal_alpha
        self.focal_gamma = focal_gamma
        self.focal_alpha_obj_score = focal_alpha_obj_score
        self.focal_gamma_obj_score = focal_gamma_obj_score
        self.supervise_all_iou = supervise_all_iou
        self.iou_use_l1_loss = iou_use_l1_loss
        self.pred_obj_scores = pred_obj_scores

    def _num_objects(self, targets: torch.Tensor) -> float:
        num = torch.tensor(
            float(targets.size(1)), device=targets.device, dtype=torch.float)
        if is_distributed():
            all_reduce(num, op='mean')
        return num.clamp(min=1).item()

    def forward(self, step_outputs: Sequence,
                targets: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Compute the weighted loss terms.

        Args:
            step_outputs (Sequence[HeadOutput]): per step, with
                ``high_res_multimasks`` (O, M, S, S), ``ious`` (O, M) and
                ``object_score_logits`` (O, 1).
            targets (Tensor): (T, O, S, S) bool target masks, one per step.

        Returns:
            dict[str, Tensor]: the weighted terms summed over steps.
        """
        if len(step_outputs) != targets.size(0):
            raise ValueError(f'{len(step_outputs)} tracking steps but '
                             f'{targets.size(0)} target frames')
        num_objects = self._num_objects(targets)
        totals = {k: 0 for k in self.loss_weights}
        for out, target in zip(step_outputs, targets):
            terms = self._step_loss(out,
                                    target.unsqueeze(1).float(), num_objects)
            for k, v in terms.items():
                totals[k] = totals[k] + v
        return {k: v * self.loss_weights[k] for k, v in totals.items()}

    def _step_loss(self, out, target: torch.Tensor,
                   num_objects: float) -> Dict[str, torch.Tensor]:
        masks = out.high_res_multimasks
        target = target.expand_as(masks)
        focal = sigmoid_focal_loss(masks, target, self.focal_alpha,
                                   self.focal_gamma).flatten(2).mean(-1)
        dice = dice_loss(masks, target)
        iou_fn = F.l1_loss if self.iou_use_l1_loss else F.mse_loss
        iou = iou_fn(out.ious, mask_iou(masks, target), reduction='none')
        focal, dice, iou = (x / num_objects for x in (focal, dice, iou))

        if self.pred_obj_scores:
            present = target[:, 0].flatten(1).any(-1, keepdim=True).float()
            loss_class = sigmoid_focal_loss(
                out.object_score_logits, present, self.focal_alpha_obj_score,
                self.focal_gamma_obj_score).mean(1).sum() / num_objects
        else:
            present = torch.ones_like(focal[:, :1])
            loss_class = focal.new_zeros(())

        if masks.size(1) > 1:
            combo = (
                focal * self.loss_weights['loss_mask'] +
                dice * self.loss_weights['loss_dice'])
            best = combo.argmin(-1, keepdim=True)
            focal, dice = focal.gather(1, best), dice.gather(1, best)
            iou = iou.mean(-1, keepdim=True) if self.supervise_all_iou \
                else iou.gather(1, best)
        return dict(
            loss_mask=(focal * present).sum(),
            loss_dice=(dice * present).sum(),
            loss_iou=(iou * present).sum(),
            loss_class=loss_class)
