"""tools/runner_args.py: the options tools/train.py and tools/test.py
share."""
import argparse
import os
import os.path as osp

import pytest
from mmengine.config import Config
from tool_module import load_tool


def parse(monkeypatch, argv):
    monkeypatch.setattr('sys.argv', ['tool'] + argv)
    parser = argparse.ArgumentParser()
    parser.add_argument('config')
    return load_tool('runner_args').parse_runner_args(parser)


def test_defaults_and_overrides(monkeypatch):
    monkeypatch.setenv('LOCAL_RANK', '0')
    args = parse(monkeypatch, ['a.py'])
    assert (args.config, args.cfg_options, args.launcher,
            args.debug) == ('a.py', None, 'none', False)
    args = parse(monkeypatch, [
        'a.py', '--cfg-options', 'model.dtype=bfloat16', 'a.b=[1,2]',
        '--launcher', 'pytorch', '--debug'
    ])
    assert args.cfg_options == {'model.dtype': 'bfloat16', 'a.b': [1, 2]}
    assert (args.launcher, args.debug) == ('pytorch', True)
    with pytest.raises(SystemExit):
        parse(monkeypatch, ['a.py', '--launcher', 'k8s'])


def test_local_rank_from_the_legacy_launcher(monkeypatch):
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK
    # (set first, so that the test leaves the variable as it found it)
    monkeypatch.setenv('LOCAL_RANK', '0')
    monkeypatch.delenv('LOCAL_RANK')
    parse(monkeypatch, ['a.py', '--local-rank', '3'])
    assert os.environ['LOCAL_RANK'] == '3'
    monkeypatch.setenv('LOCAL_RANK', '1')
    parse(monkeypatch, ['a.py', '--local_rank', '3'])
    assert os.environ['LOCAL_RANK'] == '1'


def test_work_dir_and_overrides_applied_to_the_config(monkeypatch):
    monkeypatch.setenv('LOCAL_RANK', '0')
    apply = load_tool('runner_args').apply_runner_args
    args = parse(monkeypatch, [
        'configs/my_run.py', '--launcher', 'pytorch', '--cfg-options',
        'model.dtype=bfloat16'
    ])
    # no --work-dir, none in the config: ./work_dirs/<config name>
    cfg = apply(Config(dict(model=dict(type='UniPixel'))), args)
    assert cfg.work_dir == osp.join('./work_dirs', 'my_run')
    assert cfg.launcher == 'pytorch'
    assert cfg.model == dict(type='UniPixel', dtype='bfloat16')
    # the config's work_dir wins over the default, --work-dir over both
    cfg = apply(Config(dict(work_dir='runs/a')), args)
    assert cfg.work_dir == 'runs/a'
    args = parse(monkeypatch, ['configs/my_run.py', '--work-dir', 'runs/b'])
    cfg = apply(Config(dict(work_dir='runs/a')), args)
    assert (cfg.work_dir, cfg.launcher) == ('runs/b', 'none')
