"""tools/visualize_default.py: the README pictures of the tiny default."""
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from tool_module import ROOT, load_tool

from unipixel_mm.registry import MODELS
from unipixel_mm.utils import register_all_modules

TINY_CFG = osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py')


def test_draws_both_pictures(tmp_path, monkeypatch, capsys):
    # weights of the freshly initialised tiny model, saved as a run would
    register_all_modules()
    model = MODELS.build(Config.fromfile(TINY_CFG).model)
    model.init_weights()
    work_dir = tmp_path / 'work_dirs' / 'unipixel_tiny_synthetic'
    work_dir.mkdir(parents=True)
    torch.save(dict(state_dict=model.state_dict()), work_dir / 'iter_3.pth')
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'iter_3.pth'))

    # the default work directory, relative to the working directory
    monkeypatch.chdir(tmp_path)
    load_tool('visualize_default').main(
        ['--config', TINY_CFG, '--out-dir', 'pictures'])
    out = capsys.readouterr().out
    report = re.findall(r'IoU (\d\.\d\d) with the named shape, '
                        r'(\d\.\d\d) with the other', out)
    assert len(report) == 2
    assert 'with the pointed shape, which is' in out
    swap = cv2.imread(str(tmp_path / 'pictures' / 'tiny_text_swap.png'))
    point = cv2.imread(str(tmp_path / 'pictures' / 'tiny_point_pixelqa.png'))
    # two rows of two frames (56-112 px, drawn at twice the size) and one
    for picture, rows in ((swap, 2), (point, 1)):
        assert picture is not None and picture.dtype == np.uint8
        height, width = picture.shape[:2]
        assert 2 * 2 * 56 + 4 <= width <= 2 * 2 * 112 + 4
        assert rows * 2 * 56 < height < rows * (2 * 112 + 60) + 6


def test_missing_checkpoint_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        load_tool('visualize_default').main(['--config', TINY_CFG])
    assert exit_info.value.code == 2
    assert 'No checkpoint in "work_dirs/unipixel_tiny_synthetic": train ' \
        'first with python tools/train.py' in capsys.readouterr().err
