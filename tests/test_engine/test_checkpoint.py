"""The local checkpoint loader works with torch >= 2.6."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader, load_checkpoint, save_checkpoint

from unipixel_mm.engine import load_from_local
from unipixel_mm.engine.checkpoint import find_resumable_checkpoint
from unipixel_mm.engine.runner import resolve_resume


@pytest.fixture
def mmengine_checkpoint(tmp_path) -> str:
    """A checkpoint with the non-tensor objects mmengine saves."""
    path = str(tmp_path / 'iter_1.pth')
    history = HistoryBuffer()
    history.update(1.0)
    history.update(2.0)
    save_checkpoint(
        dict(
            meta=dict(iter=1, seed=42, history=history),
            state_dict=dict(weight=torch.arange(4.0).view(2, 2)),
            message_hub=dict(log_scalars=dict(lr=np.array([1e-3])))), path)
    return path


def test_local_paths_use_the_full_unpickler():
    assert CheckpointLoader._get_checkpoint_loader(
        'work_dirs/a/iter_1.pth') is load_from_local
    assert CheckpointLoader._get_checkpoint_loader(
        'https://example.com/a.pth') is not load_from_local


def test_loads_mmengine_checkpoint(mmengine_checkpoint):
    # torch's weights-only default refuses what mmengine pickles
    with pytest.raises(pickle.UnpicklingError):
        torch.load(mmengine_checkpoint)
    ckpt = CheckpointLoader.load_checkpoint(mmengine_checkpoint)
    assert ckpt['meta']['history'].mean() == 1.5
    assert ckpt['message_hub']['log_scalars']['lr'][0] == 1e-3

    # what the Runner's load_from does
    model = torch.nn.Linear(2, 2, bias=False)
    model.weight.data.zero_()
    load_checkpoint(model, mmengine_checkpoint, map_location='cpu')
    assert torch.equal(model.weight, torch.arange(4.0).view(2, 2))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nothing.pth'))


def _save_iters(folder, *steps):
    for step in steps:
        save_checkpoint(
            dict(meta=dict(iter=step)), str(folder / f'iter_{step}.pth'))


def _record(folder, name):
    (folder / 'last_checkpoint').write_text(str(folder / name))


def test_resume_takes_the_named_checkpoint(tmp_path):
    _save_iters(tmp_path, 10, 20)
    _record(tmp_path, 'iter_20.pth')
    assert find_resumable_checkpoint(str(tmp_path)) == str(tmp_path /
                                                           'iter_20.pth')


@pytest.mark.parametrize('damage', ['truncate', 'delete', 'empty'])
def test_resume_skips_an_incomplete_checkpoint(tmp_path, damage):
    _save_iters(tmp_path, 10, 20)
    _record(tmp_path, 'iter_20.pth')
    path = tmp_path / 'iter_20.pth'
    data = path.read_bytes()
    if damage == 'delete':
        path.unlink()
    else:
        path.write_bytes(data[:len(data) //
                              2] if damage == 'truncate' else b'')
    # a temporary file of a killed save is never a candidate
    (tmp_path / '.iter_30.pth.tmp-save').write_bytes(data)
    assert find_resumable_checkpoint(str(tmp_path)) == str(tmp_path /
                                                           'iter_10.pth')


def test_resume_takes_a_newer_complete_checkpoint(tmp_path):
    # killed after iter_20 was renamed in place, before the record
    _save_iters(tmp_path, 10, 20)
    _record(tmp_path, 'iter_10.pth')
    assert find_resumable_checkpoint(str(tmp_path)) == str(tmp_path /
                                                           'iter_20.pth')


def test_resume_without_checkpoints(tmp_path):
    assert find_resumable_checkpoint(str(tmp_path)) is None
    (tmp_path / 'iter_10.pth').write_bytes(b'\0' * 100)
    assert find_resumable_checkpoint(str(tmp_path)) is None


def test_explicit_resume_of_an_incomplete_checkpoint(tmp_path):
    path = tmp_path / 'iter_10.pth'
    path.write_bytes(b'PK\3\4 truncated')
    cfg = Config(
        dict(resume=True, load_from=str(path), work_dir=str(tmp_path)))
    with pytest.raises(ValueError, match='iter_10.pth.*incomplete'):
        resolve_resume(cfg)
    cfg = Config(dict(resume=True, load_from=None, work_dir=str(tmp_path)))
    _save_iters(tmp_path, 5)
    resolve_resume(cfg)
    assert cfg.load_from == str(tmp_path / 'iter_5.pth')
