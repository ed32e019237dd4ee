"""Bad inputs and faults of the command line: one line, exit status 2,
nothing lost or mixed."""
import errno
import json
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch
from parity_fixture import parity_fixture_files
from tool_module import ROOT

from unipixel_mm.apis import cli
from unipixel_mm.apis import inference as api
from unipixel_mm.text import build_tiny_processor

CHECKPOINT, SAM2_YAML = parity_fixture_files()
TINY_CFG = osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py')


@pytest.fixture(scope='module')
def processor_dir(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('processor'))
    build_tiny_processor(path)
    return path


@pytest.fixture
def photo(tmp_path):
    path = str(tmp_path / 'ok.jpg')
    rng = np.random.default_rng(0)
    cv2.imwrite(path, rng.integers(0, 255, (60, 70, 3), dtype=np.uint8))
    return path


def cli_args(tmp_path, processor_dir, media, *extra):
    return [
        media, 'Segment <|seg|>', '--model', CHECKPOINT, '--processor',
        processor_dir, '--sam2-config', SAM2_YAML, '--max-new-tokens', '2',
        '--out-dir',
        str(tmp_path / 'out'), *extra
    ]


@pytest.fixture
def no_model(monkeypatch):
    """Fails a test that loads the model: inputs are checked first."""

    def refuse(*args, **kwargs):
        raise AssertionError('the model was loaded before the inputs were '
                             'checked')

    monkeypatch.setattr(cli, 'UniPixelInferencer', refuse)


def run_cli(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    err = capsys.readouterr().err.strip()
    return exit_info.value.code, err


@pytest.mark.parametrize('extra, message', [
    (['--point', '-5,10'], 'point "-5,10" must hold finite numbers >= 0'),
    (['--point', 'nan,10'], 'point "nan,10" must hold finite numbers >= 0'),
    (['--point', '100,10'], r'the point \(100.0, 10.0, 0\) is outside'),
    (['--box', '30,5,10,50'], 'bottom-right corner'),
    (['--fps', '0'], '--fps must be a finite number > 0'),
    (['--num-frames', '0'], '--num-frames must be a finite number >= 1'),
    (['--top-p', '2'], '--top-p must be at most 1'),
    (['--point', '5,5@3'], 'on frame 3 but the media has 1 frame'),
    (['--mask', 'missing.png'], 'No such file: "missing.png"'),
])
def test_bad_inputs_before_the_model(tmp_path, processor_dir, photo, no_model,
                                     capsys, extra, message):
    code, err = run_cli(
        cli_args(tmp_path, processor_dir, photo, *extra), capsys)
    assert code == 2
    assert len(err.splitlines()) == 1 or 'usage:' in err
    assert re.search(message, err), err
    assert not osp.exists(tmp_path / 'out')


def test_mask_of_another_size(tmp_path, processor_dir, photo, no_model,
                              capsys):
    mask = str(tmp_path / 'mask.png')
    cv2.imwrite(mask, np.full((32, 48), 255, np.uint8))
    code, err = run_cli(
        cli_args(tmp_path, processor_dir, photo, '--mask', mask), capsys)
    assert code == 2
    assert 'mask prompt 0 is 32x48 but the frames are 60x70' in err


def test_unwritable_output_folder(tmp_path, processor_dir, photo, no_model,
                                  capsys):
    blocker = tmp_path / 'out'
    blocker.write_text('a file, not a folder')
    code, err = run_cli(cli_args(tmp_path, processor_dir, photo), capsys)
    assert code == 2 and 'cannot write to the folder' in err
    assert err.count('\n') == 0


def test_read_only_stale_output(tmp_path, processor_dir, photo, no_model,
                                capsys):
    out = tmp_path / 'out'
    out.mkdir()
    stale = out / 'ok_jpg.txt'
    stale.write_text('old answer')
    os.chmod(stale, 0o444)
    code, err = run_cli(cli_args(tmp_path, processor_dir, photo), capsys)
    assert code == 2 and 'ok_jpg.txt" exists and is read-only' in err
    assert os.listdir(out) == ['ok_jpg.txt']


def test_config_without_checkpoint_or_with_another_model(
        tmp_path, processor_dir, photo, capsys):
    args = [
        photo, 'Segment', '--model', TINY_CFG, '--processor', processor_dir,
        '--out-dir',
        str(tmp_path / 'out')
    ]
    code, err = run_cli(args, capsys)
    assert code == 2 and '--random-weights' in err
    resnet = str(tmp_path / 'resnet18.pth')
    torch.save({'conv1.weight': torch.zeros(64, 3, 7, 7)}, resnet)
    code, err = run_cli(args + ['--checkpoint', resnet], capsys)
    assert code == 2
    assert "fills 0 of the model's" in err and 'another model' in err
    assert not osp.exists(tmp_path / 'out' / 'ok_jpg.png')


def test_debug_shows_the_traceback(tmp_path, processor_dir, no_model):
    with pytest.raises(FileNotFoundError, match='missing.png'):
        cli.main(cli_args(tmp_path, processor_dir, 'missing.png', '--debug'))


def test_outputs_unique_and_all_or_none(tmp_path, processor_dir, photo,
                                        monkeypatch, capsys):
    png = str(tmp_path / 'ok.png')
    cv2.imwrite(png, cv2.imread(photo))
    first = cli.main(cli_args(tmp_path, processor_dir, photo))
    second = cli.main(cli_args(tmp_path, processor_dir, png))
    out = str(tmp_path / 'out')
    assert sorted(os.listdir(out)) == [
        'ok_jpg.png', 'ok_jpg.txt', 'ok_jpg_masks.json', 'ok_png.png',
        'ok_png.txt', 'ok_png_masks.json'
    ]
    assert set(first.values()).isdisjoint(second.values())
    before = {
        name: open(osp.join(out, name), 'rb').read()
        for name in os.listdir(out)
    }

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(json, 'dump', full_disk)
    code, err = run_cli(cli_args(tmp_path, processor_dir, photo), capsys)
    assert code == 2 and 'No space left on device' in err
    # the earlier outputs are intact and nothing partial is left
    assert {
        name: open(osp.join(out, name), 'rb').read()
        for name in os.listdir(out)
    } == before


def test_api_float_image_is_scaled_not_blackened():
    image = np.random.default_rng(0).random((4, 5, 3))
    frames = api.to_uint8(image[None])
    assert frames.dtype == np.uint8 and frames.max() > 200
    np.testing.assert_array_equal(frames[0], np.round(image * 255))
    with pytest.raises(ValueError, match='non-finite'):
        api.to_uint8(np.full((1, 2, 2, 3), np.nan))
    with pytest.raises(ValueError, match=r'in \[0, 255\]'):
        api.to_uint8(np.full((1, 2, 2, 3), 300.0))
    with pytest.raises(ValueError, match='must be uint8'):
        api.to_uint8(np.zeros((1, 2, 2, 3), bool))


def test_api_nan_point_is_refused():
    request = api.InferenceRequest(
        np.zeros((60, 70, 3), np.uint8), 'What?', points=[(np.nan, 5, 0)])
    with pytest.raises(ValueError, match='finite numbers >= 0'):
        api.check_request(request)
