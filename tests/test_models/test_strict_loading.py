"""Checkpoints must fill the model; random weights need a flag."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import save_checkpoint
from tool_module import ROOT

from unipixel_mm.apis import init_model
from unipixel_mm.models.checkpoint.strict import (CheckpointMismatchError,
                                                  load_checkpoint_strict)
from unipixel_mm.registry import MODELS
from unipixel_mm.utils import register_all_modules

TINY_CFG = osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py')


@pytest.fixture(scope='module')
def tiny_model():
    register_all_modules()
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(TINY_CFG).model)


@pytest.fixture(scope='module')
def full_checkpoint(tiny_model, tmp_path_factory):
    path = str(tmp_path_factory.mktemp('ckpt') / 'iter_1.pth')
    save_checkpoint(dict(meta={}, state_dict=tiny_model.state_dict()), path)
    return path


def test_another_models_weights_are_refused(tiny_model, tmp_path):
    path = str(tmp_path / 'resnet18.pth')
    torch.save(
        {
            'conv1.weight': torch.zeros(64, 3, 7, 7),
            'bn1.weight': torch.ones(64),
            'fc.weight': torch.zeros(1000, 512)
        }, path)
    num = len(tiny_model.state_dict())
    with pytest.raises(
            CheckpointMismatchError,
            match=rf"fills 0 of the model's {num} weights \({num} missing; 3 "
            r'of its 3 weights not in the model\): it looks like the '
            r'checkpoint '
            r'of another model \(its weights are named bn1.weight, '
            r'conv1.weight, fc.weight\)'):
        load_checkpoint_strict(tiny_model, path)


def test_partial_and_reshaped_checkpoints_are_refused(tiny_model, tmp_path):
    own = tiny_model.state_dict()
    names = sorted(own)
    path = str(tmp_path / 'part.pth')
    save_checkpoint(dict(state_dict={k: own[k] for k in names[:10]}), path)
    with pytest.raises(
            CheckpointMismatchError,
            match=rf"fills 10 of the model's {len(own)} weights \("
            rf'{len(own) - 10} missing\): it looks like a partial'):
        load_checkpoint_strict(tiny_model, path)

    state = dict(own)
    state[names[0]] = torch.zeros(2, 2, 2, 2)
    save_checkpoint(dict(state_dict=state), path)
    with pytest.raises(
            CheckpointMismatchError,
            match=rf'fills {len(own) - 1} of .*\(1 of another shape '
            rf'\({names[0]}\).*another config'):
        load_checkpoint_strict(tiny_model, path)


def test_full_checkpoint_loads(full_checkpoint):
    model = init_model(TINY_CFG, full_checkpoint)
    expected = torch.load(full_checkpoint, weights_only=False)['state_dict']
    for key, value in model.state_dict().items():
        assert torch.equal(value, expected[key]), key


def test_model_files_are_checked_before_building(tmp_path):
    with pytest.raises(ValueError, match='random_weights=True'):
        init_model(TINY_CFG)
    with pytest.raises(FileNotFoundError, match='No checkpoint "missing'):
        init_model(TINY_CFG, 'missing.pth')
    truncated = tmp_path / 'iter_1.pth'
    truncated.write_bytes(b'PK\3\4 cut short')
    with pytest.raises(ValueError, match='iter_1.pth" is truncated'):
        init_model(TINY_CFG, str(truncated))
    with pytest.raises(FileNotFoundError, match='No config file'):
        init_model(str(tmp_path / 'nothing.py'))


def test_random_weights_by_flag():
    model = init_model(TINY_CFG, random_weights=True)
    assert not model.training


def test_trainable_only_checkpoint_over_the_configs_pretrained_parts(
        tmp_path):
    """A stage's trainable-only checkpoint fills the model together with
    the pretrained files of its config (loaded first): every weight ends up
    equal to the source model's, wherever it came from."""
    from parity_fixture import parity_fixture_files

    from unipixel_mm.models.checkpoint import build_from_official
    checkpoint, sam2_yaml = parity_fixture_files()
    source = build_from_official(checkpoint, sam2_config=sam2_yaml)
    sam2_pt = str(tmp_path / 'sam2.pt')
    torch.save(dict(model=source.mask_decoder.sam2.state_dict()), sam2_pt)
    cfg = Config.fromfile(TINY_CFG).model
    cfg.vision_tokenizer.pretrained = checkpoint
    cfg.llm.pretrained = checkpoint
    cfg.mask_decoder.checkpoint = sam2_pt
    register_all_modules()
    torch.manual_seed(1)
    model = MODELS.build(cfg)
    covered = model.pretrained_weight_names()
    own = source.state_dict()
    # what a stage trains: the new modules (prompt encoder, memory bank,
    # segmentation head), none of which a pretrained file holds
    trainable = {k: v for k, v in own.items() if k not in covered}
    assert any(k.startswith('llm.seg_head.') for k in trainable)
    assert any(k.startswith('prompt_encoder.') for k in trainable)
    assert not any(
        k.startswith(('vision_tokenizer.', 'mask_decoder.'))
        for k in trainable)
    path = str(tmp_path / 'iter_10.pth')
    save_checkpoint(dict(meta={}, state_dict=trainable), path)
    load_checkpoint_strict(model, path)
    loaded = model.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in own.items())

    # without the pretrained files the same checkpoint does not fill it
    bare = MODELS.build(Config.fromfile(TINY_CFG).model)
    with pytest.raises(CheckpointMismatchError, match='a partial'):
        load_checkpoint_strict(bare, path)
