"""The local checkpoint loader works with torch >= 2.6."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader, load_checkpoint, save_checkpoint

from unipixel_mm.engine import load_from_local


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
