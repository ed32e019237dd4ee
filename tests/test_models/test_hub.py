"""Hub ids where a checkpoint directory is accepted, resolved offline
against a cache folder the test builds."""
import argparse
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from hub_cache import HUB_ID, build_hub_cache
from huggingface_hub import constants
from parity_fixture import parity_fixture_files
from tool_module import ROOT, load_tool

from unipixel_mm.apis import UniPixelInferencer, cli, init_model
from unipixel_mm.models.checkpoint.hub import is_hub_id, resolve_model_path

MISSING_ID = 'PolyU-ChenLab/UniPixel-404B'


@pytest.fixture(scope='module')
def hub_dirs(tmp_path_factory):
    return build_hub_cache(str(tmp_path_factory.mktemp('hub')))


@pytest.fixture
def offline_hub(hub_dirs, monkeypatch):
    """The built cache as the user's, offline: the environment (for
    processes) and huggingface_hub's constants (read at its import)."""
    cache, snapshot = hub_dirs
    monkeypatch.setenv('HF_HUB_CACHE', cache)
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    monkeypatch.setattr(constants, 'HF_HUB_CACHE', cache)
    monkeypatch.setattr(constants, 'HF_HUB_OFFLINE', True)
    return snapshot


@pytest.mark.parametrize('name, expected', [
    ('PolyU-ChenLab/UniPixel-3B', True),
    ('work_dirs/run', True),
    ('configs/unipixel_3b.py', False),
    ('work_dirs/run/iter_300.pth', False),
    ('./PolyU-ChenLab/UniPixel-3B', False),
    ('/abs/UniPixel-3B', False),
    ('UniPixel-3B', False),
    ('org/bad--name', False),
])
def test_is_hub_id(name, expected):
    assert is_hub_id(name) is expected


def test_hub_id_resolves_to_the_cached_snapshot(offline_hub, tmp_path,
                                                monkeypatch):
    assert resolve_model_path(HUB_ID) == offline_hub
    assert osp.isfile(osp.join(resolve_model_path(HUB_ID), 'config.json'))
    # a local path of the same spelling wins
    monkeypatch.chdir(tmp_path)
    os.makedirs(HUB_ID)
    assert resolve_model_path(HUB_ID) == HUB_ID
    # not ids: given back for the caller to report
    assert resolve_model_path('configs/missing.py') == 'configs/missing.py'
    assert resolve_model_path(None) is None


def test_uncached_id_offline_names_the_id(offline_hub):
    with pytest.raises(FileNotFoundError) as info:
        resolve_model_path(MISSING_ID)
    message = str(info.value)
    assert f'"{MISSING_ID}"' in message and 'HF_HUB_OFFLINE' in message
    assert constants.HF_HUB_CACHE in message and '\n' not in message


def test_init_model_and_inferencer_from_a_hub_id(offline_hub):
    _, sam2_yaml = parity_fixture_files()
    model = init_model(HUB_ID, sam2_config=sam2_yaml)
    # the processor (tokenizer) of the hub repository
    inferencer = UniPixelInferencer(
        model,
        processor=HUB_ID,
        num_frames=2,
        generation_cfg=dict(max_new_tokens=2))
    image = np.random.default_rng(0).integers(0, 255, (40, 48, 3), np.uint8)
    result = inferencer(image, 'Please segment <|seg|>.')
    assert result.masks.shape == (1, 1, 40, 48)


def test_infer_cli_with_a_hub_id(offline_hub, tmp_path, capsys):
    _, sam2_yaml = parity_fixture_files()
    image = str(tmp_path / 'photo.png')
    cv2.imwrite(image, np.full((40, 48, 3), 90, np.uint8))
    args = [
        image, 'Please segment <|seg|>.', '--sam2-config', sam2_yaml,
        '--max-new-tokens', '2', '--out-dir',
        str(tmp_path / 'out')
    ]
    paths = cli.main(args + ['--model', HUB_ID])
    assert osp.isfile(paths['overlay']) and osp.isfile(paths['masks'])
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        cli.main(args + ['--model', MISSING_ID])
    err = capsys.readouterr().err.strip()
    assert info.value.code == 2 and len(err.splitlines()) == 1
    assert MISSING_ID in err and 'HF_HUB_OFFLINE' in err


def test_test_tool_with_a_hub_id(offline_hub):
    tool = load_tool('test')
    _, sam2_yaml = parity_fixture_files()
    args = argparse.Namespace(
        config=osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py'),
        model_config=None,
        checkpoint=HUB_ID,
        sam2_config=sam2_yaml,
        out=None,
        work_dir=None,
        show_dir=None,
        cfg_options=None,
        launcher='none')
    tool.check_args(args)
    assert args.checkpoint == offline_hub
    cfg = tool.merge_args(tool.Config.fromfile(args.config), args)
    # the snapshot's architecture replaces the tiny config's model
    assert cfg.model.mask_decoder.sam2_config == sam2_yaml
    assert cfg.model.precision == 'reference'
    args.checkpoint = MISSING_ID
    with pytest.raises(FileNotFoundError, match=MISSING_ID):
        tool.check_args(args)
