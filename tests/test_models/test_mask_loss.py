"""MultiStepMaskLoss against values computed by hand."""
import math
from types import SimpleNamespace

import pytest
import torch

from unipixel_mm.models.losses.sam2_mask_loss import MultiStepMaskLoss

LN2 = math.log(2)
# A 2 x 2 target with one foreground pixel, against all-zero logits
# (probability 0.5 everywhere): per pixel BCE = ln 2, focal factor
# (1 - p_t)^2 = 1/4, alpha 0.25 on the foreground pixel and 0.75 on the
# three background pixels -> mean focal = ln2 / 4 * (0.25 + 3 * 0.75) / 4.
FOCAL_HALF = LN2 / 4 * 2.5 / 4
# dice = 1 - (2 * 0.5 + 1) / (4 * 0.5 + 1 + 1) = 0.5
DICE_HALF = 0.5


def step(masks, ious, scores):
    """One tracking step's outputs: (O, M, 2, 2) logits, (O, M) IoUs,
    (O, 1) object-score logits."""
    return SimpleNamespace(
        high_res_multimasks=torch.tensor(masks, dtype=torch.float),
        ious=torch.tensor(ious),
        object_score_logits=torch.tensor(scores))


FG = [[1, 0], [0, 0]]
EMPTY = [[0, 0], [0, 0]]


def test_single_candidate_terms():
    loss = MultiStepMaskLoss()
    out = step([[[[0., 0.], [0., 0.]]]], [[0.25]], [[0.]])
    terms = loss([out], torch.tensor([[FG]], dtype=torch.bool))
    # predicted IoU 0.25 vs the real 0 (no pixel above 0): L1 0.25;
    # object present with score 0: BCE ln 2 (alpha -1, gamma 0)
    expected = dict(
        loss_mask=100 * FOCAL_HALF,
        loss_dice=5 * DICE_HALF,
        loss_iou=5 * 0.25,
        loss_class=5 * LN2)
    for key, value in expected.items():
        assert terms[key].item() == pytest.approx(value, rel=1e-5), key


def test_best_candidate_and_all_iou():
    loss = MultiStepMaskLoss()
    exact = [[10., -10.], [-10., -10.]]  # the target, almost surely
    out = step([[[[0., 0.], [0., 0.]], exact]], [[0.25, 0.5]], [[0.]])
    terms = loss([out], torch.tensor([[FG]], dtype=torch.bool))
    # candidate 1 wins on focal + dice; its terms are ~0
    assert terms['loss_mask'].item() == pytest.approx(0, abs=1e-5)
    assert terms['loss_dice'].item() == pytest.approx(0, abs=1e-3)
    # IoU supervised on both candidates: (|0.25 - 0| + |0.5 - 1|) / 2
    assert terms['loss_iou'].item() == pytest.approx(5 * 0.375, rel=1e-5)
    only_best = MultiStepMaskLoss(supervise_all_iou=False)
    terms = only_best([out], torch.tensor([[FG]], dtype=torch.bool))
    assert terms['loss_iou'].item() == pytest.approx(5 * 0.5, rel=1e-5)


def test_steps_add_up_and_objects_normalise():
    loss = MultiStepMaskLoss()
    out = step([[[[0., 0.], [0., 0.]]]], [[0.25]], [[0.]])
    one = loss([out], torch.tensor([[FG]], dtype=torch.bool))
    two_steps = loss([out, out], torch.tensor([[FG], [FG]], dtype=torch.bool))
    for key in one:
        assert two_steps[key].item() == pytest.approx(2 * one[key].item())
    with pytest.raises(ValueError, match='2 tracking steps'):
        loss([out, out], torch.tensor([[FG]], dtype=torch.bool))


def test_absent_object_only_trains_its_score():
    loss = MultiStepMaskLoss()
    # object 0 present, object 1 absent (empty target) with score 2
    out = step([[[[0., 0.], [0., 0.]]], [[[5., 5.], [5., 5.]]]],
               [[0.25], [0.9]], [[0.], [2.]])
    targets = torch.tensor([[FG, EMPTY]], dtype=torch.bool)
    terms = loss([out], targets)
    # mask, dice and IoU terms count the present object only, divided by
    # the 2 objects; the score term is BCE(0, 1) + BCE(2, 0) over 2
    assert terms['loss_mask'].item() == pytest.approx(
        100 * FOCAL_HALF / 2, rel=1e-5)
    assert terms['loss_dice'].item() == pytest.approx(
        5 * DICE_HALF / 2, rel=1e-5)
    assert terms['loss_iou'].item() == pytest.approx(5 * 0.25 / 2, rel=1e-5)
    absent_bce = math.log1p(math.exp(2.))
    assert terms['loss_class'].item() == pytest.approx(
        5 * (LN2 + absent_bce) / 2, rel=1e-5)


def test_absent_in_every_step_gives_no_mask_gradient():
    loss = MultiStepMaskLoss()
    masks = torch.zeros(1, 1, 2, 2, requires_grad=True)
    out = SimpleNamespace(
        high_res_multimasks=masks,
        ious=torch.tensor([[0.5]]),
        object_score_logits=torch.tensor([[-1.]], requires_grad=True))
    terms = loss([out, out], torch.zeros(2, 1, 2, 2, dtype=torch.bool))
    assert terms['loss_mask'].item() == 0
    assert terms['loss_dice'].item() == 0
    assert terms['loss_iou'].item() == 0
    # BCE(-1, 0) = log(1 + e^-1) per step
    assert terms['loss_class'].item() == pytest.approx(
        5 * 2 * math.log1p(math.exp(-1.)), rel=1e-5)
    sum(terms.values()).backward()
    assert torch.count_nonzero(masks.grad) == 0
    assert out.object_score_logits.grad.abs().item() > 0


def test_without_object_scores_every_object_counts():
    loss = MultiStepMaskLoss(pred_obj_scores=False)
    out = step([[[[0., 0.], [0., 0.]]]], [[0.]], [[-50.]])
    terms = loss([out], torch.tensor([[EMPTY]], dtype=torch.bool))
    # an empty target still trains the mask: focal of all-background
    # pixels = ln2 / 4 * 0.75, dice = 1 - 1 / (2 + 0 + 1)
    assert terms['loss_mask'].item() == pytest.approx(
        100 * LN2 / 4 * 0.75, rel=1e-5)
    assert terms['loss_dice'].item() == pytest.approx(
        5 * (1 - 1 / 3), rel=1e-5)
    assert terms['loss_class'].item() == 0
