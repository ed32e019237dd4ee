"""Parity with the reference UniPixel on a checkpoint in the official format.

The fixture folder (``$UNIPIXEL_PARITY_FIXTURE``, default
``tests/data/parity/upstream_tiny``) holds ``checkpoint/`` (official
format), the SAM2 yaml of that checkpoint, ``cases.pt`` (reference forward
kwargs) and the reference's outputs. Every size comes from those files.
"""
import os.path as osp

import pytest
import torch
from parity_fixture import PARITY_FIXTURE, parity_fixture_files

from unipixel_mm.utils import build_from_official
from unipixel_mm.utils.official_checkpoint import official_to_modular_key
from unipixel_mm.utils.reference_inputs import batch_from_reference_kwargs


def mask_iou(a: torch.Tensor, b: torch.Tensor) -> float:
    union = (a | b).sum()
    return 1.0 if union == 0 else float((a & b).sum() / union)


@pytest.fixture(scope='module')
def fixture():
    checkpoint, sam2_yaml = parity_fixture_files()
    model = build_from_official(checkpoint, sam2_config=sam2_yaml)
    data = torch.load(
        osp.join(PARITY_FIXTURE, 'cases.pt'), weights_only=True)
    return model, data['cases'], data['expected']


def _cases(expected, *keys):
    return [name for name, exp in expected.items() if set(keys) <= set(exp)]


def test_logits_and_masks(fixture):
    model, cases, expected = fixture
    names = _cases(expected, 'logits')
    assert names, 'the fixture has no logits case'
    model.eval()
    for name in names:
        inputs, samples = batch_from_reference_kwargs(cases[name])
        with torch.no_grad():
            logits = model(inputs, samples, mode='tensor')
        exp = expected[name]
        assert logits.shape == exp['logits'].shape, name
        diff = (logits - exp['logits']).abs().max().item()
        assert diff <= 1e-3, f'{name}: logits differ by {diff}'
        if 'masks' not in exp:
            continue
        result = model.generate(inputs, samples, max_new_tokens=0)[0]
        assert len(result.masks) == len(exp['masks']), name
        for i, (ours, ref) in enumerate(zip(result.masks, exp['masks'])):
            assert ours.shape == ref[0].shape, (name, i)
            assert mask_iou(ours, ref[0]) >= 0.99, (name, i)


def test_greedy_generation(fixture):
    model, cases, expected = fixture
    names = _cases(expected, 'output_ids')
    assert names, 'the fixture has no generation case'
    model.eval()
    for name in names:
        inputs, samples = batch_from_reference_kwargs(cases[name])
        exp = expected[name]
        prompt = inputs['input_ids'][0]
        new_tokens = exp['output_ids'].size(1) - prompt.numel()
        result = model.generate(inputs, samples, max_new_tokens=new_tokens)[0]
        assert torch.equal(
            torch.cat([prompt, result.ids]), exp['output_ids'][0]), name
        assert len(result.masks) == len(exp['masks']), name
        for ours, ref in zip(result.masks, exp['masks']):
            assert mask_iou(ours, ref[0]) >= 0.99, name


def test_training_loss_and_gradients(fixture):
    model, cases, expected = fixture
    names = _cases(expected, 'loss')
    assert names, 'the fixture has no training case'
    params = dict(model.named_parameters())
    model.train()
    try:
        for name in names:
            model.zero_grad()
            inputs, samples = batch_from_reference_kwargs(cases[name])
            loss = sum(model(inputs, samples, mode='loss').values())
            exp = expected[name]
            rel = abs(loss.item() - exp['loss'].item()) / abs(
                exp['loss'].item())
            assert rel <= 1e-3, f'{name}: loss {loss.item()} vs {exp["loss"]}'
            loss.backward()
            for key, norm in exp['grad_norms'].items():
                grad = params[official_to_modular_key(key)].grad
                assert grad is not None, key
                got = grad.norm().item()
                assert abs(got - float(norm)) <= 1e-2 * abs(float(norm)), (
                    key, got, float(norm))
    finally:
        model.zero_grad()
        model.eval()
