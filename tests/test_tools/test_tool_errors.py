"""tools/train.py and tools/test.py: bad inputs are one line and exit
status 2, found before the model is built."""
import os.path as osp
import pickle

import torch


def _error_line(output):
    lines = [line for line in output.splitlines() if line.startswith('error')]
    assert len(lines) == 1, output[-3000:]
    assert 'Traceback' not in output, output[-3000:]
    return lines[0]


def test_train_bad_inputs(tmp_path, tiny_cfg_path, run_tool):
    out = run_tool(
        'train', [str(tmp_path / 'missing.py')],
        cwd=str(tmp_path),
        returncode=2)
    assert 'No config file' in _error_line(out)
    truncated = tmp_path / 'iter_10.pth'
    truncated.write_bytes(b'PK\3\4 cut short')
    out = run_tool(
        'train', [
            tiny_cfg_path, '--work-dir',
            str(tmp_path), '--resume',
            str(truncated)
        ],
        cwd=str(tmp_path),
        returncode=2)
    assert 'cannot resume from' in _error_line(out)
    assert 'Building' not in out


def test_test_bad_inputs(tmp_path, tiny_cfg_path, tiny_run, run_tool,
                         processor_options):
    resnet = str(tmp_path / 'resnet18.pth')
    torch.save({'conv1.weight': torch.zeros(64, 3, 7, 7)}, resnet)
    common = ['--work-dir', str(tmp_path), '--cfg-options', *processor_options]
    out = run_tool(
        'test', [tiny_cfg_path, resnet, *common],
        cwd=str(tmp_path),
        returncode=2)
    line = _error_line(out)
    assert "fills 0 of the model's" in line and 'another model' in line

    blocker = tmp_path / 'file'
    blocker.write_text('')
    out = run_tool(
        'test', [
            tiny_cfg_path,
            osp.join(tiny_run, 'iter_20.pth'), '--out',
            str(blocker / 'preds.pkl'), *common
        ],
        cwd=str(tmp_path),
        returncode=2)
    assert 'cannot write to the folder' in _error_line(out)


def test_test_out_is_complete(tmp_path, tiny_cfg_path, tiny_run, run_tool,
                              processor_options):
    out_file = tmp_path / 'preds.pkl'
    run_tool(
        'test', [
            tiny_cfg_path,
            osp.join(tiny_run, 'iter_20.pth'), '--out',
            str(out_file), '--work-dir',
            str(tmp_path), '--cfg-options', *processor_options,
            'test_dataloader.dataset.num_samples=4'
        ],
        cwd=str(tmp_path))
    # one record per sample: per named shape of each of the 4 clips
    from mmengine.config import Config

    from unipixel_mm.registry import DATASETS
    data_cfg = Config.fromfile(tiny_cfg_path).test_dataloader.dataset
    data_cfg.update(num_samples=4, pipeline=[])
    expected = len(DATASETS.build(data_cfg))
    assert expected > 4
    with open(out_file, 'rb') as f:
        assert len(pickle.load(f)) == expected
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]
