"""Parity with the reference UniPixel on a checkpoint in the official format.

Each fixture folder (``$UNIPIXEL_PARITY_FIXTURE``, else both
``tests/data/parity/upstream_tiny`` and ``upstream_tiny_bf16``) holds
``checkpoint/`` (official format), the SAM2 yaml of that checkpoint,
``cases.pt`` (reference forward kwargs), the reference's outputs and
``meta.json``, whose ``dtype`` (inference cases) and ``train_dtype`` (the
training case; ``dtype`` if absent) say how the reference ran. The model is
built as ``build_from_official`` builds it by default (the ``'reference'``
precision policy) in those dtypes. Every size comes from those files.

The CPU kernels of PyTorch order their floating-point operations by the
instruction set they dispatch to (AVX2, AVX512...), which changes bfloat16
roundings. A fixture whose ``meta.json`` names the ``cpu_capability`` it was
recorded with is checked in a subprocess that dispatches to it
(``ATEN_CPU_CAPABILITY``, read by PyTorch once at start-up) when this
process dispatches elsewhere.
"""
import json
import os
import os.path as osp
import re
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Dict

import pytest
import torch
from parity_fixture import PARITY_FIXTURES, parity_fixture_files

from unipixel_mm.models.checkpoint import (build_from_official,
                                           official_to_modular_key)
from unipixel_mm.utils.reference_inputs import batch_from_reference_kwargs

#: Max abs logits difference by the dtype the inference cases ran in.
LOGITS_TOL = {torch.float32: 1e-3, torch.bfloat16: 2e-2}
MASK_IOU = 0.99
LOSS_REL_TOL = 1e-3
GRAD_REL_TOL = 1e-2


def mask_iou(a: torch.Tensor, b: torch.Tensor) -> float:
    union = (a | b).sum()
    return 1.0 if union == 0 else float((a & b).sum() / union)


@dataclass
class Fixture:
    """A parity fixture folder and the models built from it."""
    folder: str
    dtype: torch.dtype
    train_dtype: torch.dtype
    cases: dict
    expected: dict
    _models: Dict[torch.dtype, torch.nn.Module] = field(default_factory=dict)

    def model(self, dtype: torch.dtype) -> torch.nn.Module:
        """The fixture's checkpoint built in ``dtype`` (built once)."""
        if dtype not in self._models:
            checkpoint, sam2_yaml = parity_fixture_files(self.folder)
            self._models[dtype] = build_from_official(
                checkpoint, sam2_config=sam2_yaml, dtype=dtype)
        return self._models[dtype]


def recorded_capability(folder: str) -> str:
    """The CPU capability a fixture was recorded with ('' when any)."""
    with open(osp.join(folder, 'meta.json')) as f:
        return json.load(f).get('cpu_capability', '').upper()


CAPABILITY = torch.backends.cpu.get_cpu_capability().upper()
#: Fixtures this process reproduces, and those needing another dispatch.
IN_PROCESS = [
    f for f in PARITY_FIXTURES if recorded_capability(f) in ('', CAPABILITY)
]
OTHER_DISPATCH = [f for f in PARITY_FIXTURES if f not in IN_PROCESS]


def _run_under_recorded_capability(folder: str) -> None:
    """This module on ``folder``, in a process that dispatches to the CPU
    capability the fixture was recorded with."""
    env = dict(
        os.environ,
        UNIPIXEL_PARITY_FIXTURE=folder,
        ATEN_CPU_CAPABILITY=recorded_capability(folder).lower())
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
         __file__, '-k', 'not recorded_cpu_capability'],
        env=env,
        capture_output=True,
        text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
    # the four checks of this module, none failed or skipped
    assert re.search(r'^4 passed in ', proc.stdout, re.M), proc.stdout


if OTHER_DISPATCH:  # no test (rather than a skipped one) when all fit here

    @pytest.mark.parametrize('folder', OTHER_DISPATCH, ids=osp.basename)
    def test_fixture_under_its_recorded_cpu_capability(folder):
        _run_under_recorded_capability(folder)


@pytest.fixture(scope='module', params=IN_PROCESS, ids=osp.basename)
def fixture(request) -> Fixture:
    folder = request.param
    with open(osp.join(folder, 'meta.json')) as f:
        meta = json.load(f)
    dtype = getattr(torch, meta.get('dtype', 'float32'))
    data = torch.load(osp.join(folder, 'cases.pt'), weights_only=True)
    return Fixture(folder, dtype,
                   getattr(torch, meta.get('train_dtype', str(dtype)[6:])),
                   data['cases'], data['expected'])


def _cases(expected, *keys):
    return [name for name, exp in expected.items() if set(keys) <= set(exp)]


def _check_masks(name, masks, expected):
    assert len(masks) == len(expected), name
    for i, (ours, ref) in enumerate(zip(masks, expected)):
        assert ours.shape == ref[0].shape, (name, i)
        iou = mask_iou(ours, ref[0])
        assert iou >= MASK_IOU, f'{name}: mask {i} has IoU {iou:.4f}'


def test_dtypes_follow_the_fixture(fixture):
    model = fixture.model(fixture.dtype)
    assert {p.dtype for p in model.parameters()} == {fixture.dtype}
    assert model.precision == 'reference'


def test_logits_and_masks(fixture):
    model = fixture.model(fixture.dtype)
    names = _cases(fixture.expected, 'logits')
    assert names, 'the fixture has no logits case'
    for name in names:
        inputs, samples = batch_from_reference_kwargs(fixture.cases[name])
        with torch.no_grad():
            logits = model(inputs, samples, mode='tensor')
        exp = fixture.expected[name]
        assert logits.shape == exp['logits'].shape, name
        diff = (logits.float() - exp['logits'].float()).abs().max().item()
        tol = LOGITS_TOL[fixture.dtype]
        assert diff <= tol, f'{name}: logits differ by {diff} (> {tol})'
        if 'masks' in exp:
            result = model.generate(inputs, samples, max_new_tokens=0)[0]
            _check_masks(name, result.masks, exp['masks'])


def test_greedy_generation(fixture):
    model = fixture.model(fixture.dtype)
    names = _cases(fixture.expected, 'output_ids')
    assert names, 'the fixture has no generation case'
    for name in names:
        inputs, samples = batch_from_reference_kwargs(fixture.cases[name])
        exp = fixture.expected[name]
        prompt = inputs['input_ids'][0]
        new_tokens = exp['output_ids'].size(1) - prompt.numel()
        result = model.generate(inputs, samples, max_new_tokens=new_tokens)[0]
        assert torch.equal(
            torch.cat([prompt, result.ids]), exp['output_ids'][0]), name
        _check_masks(name, result.masks, exp['masks'])


def test_training_loss_and_gradients(fixture):
    model = fixture.model(fixture.train_dtype)
    names = _cases(fixture.expected, 'loss')
    assert names, 'the fixture has no training case'
    params = dict(model.named_parameters())
    model.train()
    try:
        for name in names:
            model.zero_grad()
            inputs, samples = batch_from_reference_kwargs(fixture.cases[name])
            loss = sum(model(inputs, samples, mode='loss').values())
            exp = fixture.expected[name]
            rel = abs(loss.item() - exp['loss'].item()) / abs(
                exp['loss'].item())
            assert rel <= LOSS_REL_TOL, (
                f'{name}: loss {loss.item()} vs {exp["loss"]}')
            loss.backward()
            for key, norm in exp['grad_norms'].items():
                grad = params[official_to_modular_key(key)].grad
                assert grad is not None, key
                got = grad.float().norm().item()
                assert abs(got - float(norm)) <= GRAD_REL_TOL * abs(
                    float(norm)), (key, got, float(norm))
    finally:
        model.zero_grad()
        model.eval()
