"""Running tools/train.py and tools/test.py on the tiny config."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
from typing import Callable, Dict, List, Optional, Sequence

import pytest
from mmengine.config import Config
from tool_module import ROOT

from unipixel_mm.datasets import build_tiny_processor

TINY_CFG = osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py')
# A short run of the tiny config: 20 iterations of batch 2 (clips of one or
# two shapes) with checkpoints at 10 and 20, the losses logged every
# iteration (no smoothing window) and the mask IoU of 8 held-out clips at
# iterations 0 and 20.
SHORT_RUN = [
    'train_cfg.max_iters=20', 'train_cfg.val_interval=20',
    'train_dataloader.batch_size=2', 'train_dataloader.dataset.min_objects=1',
    'train_dataloader.dataset.max_objects=2',
    'default_hooks.checkpoint.interval=10',
    'default_hooks.checkpoint.max_keep_ckpts=2',
    'default_hooks.logger.interval=1', 'log_processor.window_size=1',
    'val_dataloader.dataset.num_samples=8'
]


def run_tool(name: str,
             args: Sequence[str],
             cwd: str,
             launcher: Sequence[str] = (),
             timeout: float = 240,
             env: Optional[Dict[str, str]] = None,
             returncode: int = 0) -> str:
    """Runs ``tools/<name>.py`` in a subprocess.

    The repository and this directory are importable and every process
    uses one CPU thread.

    Args:
        name (str): ``'train'`` or ``'test'``.
        args (Sequence[str]): The tool's arguments.
        cwd (str): Working directory.
        launcher (Sequence[str]): A command that runs the script, such as
            torchrun's; defaults to this Python.
        timeout (float): Seconds before the run is killed.
        env (dict, optional): More environment variables.
        returncode (int): The exit status the run must end with.

    Returns:
        str: The output; another exit status fails the test with its tail.
    """
    command = list(launcher) or [sys.executable]
    command += [osp.join(ROOT, 'tools', f'{name}.py'), *args]
    paths = [ROOT, osp.dirname(osp.abspath(__file__))]
    if os.environ.get('PYTHONPATH'):
        paths.append(os.environ['PYTHONPATH'])
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(paths),
        OMP_NUM_THREADS='1',
        **(env or {}))
    proc = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)
    assert proc.returncode == returncode, proc.stdout[-5000:]
    return proc.stdout


def read_scalars(work_dir: str) -> List[dict]:
    """The json log lines of the (single) run in ``work_dir``."""
    files = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    assert len(files) == 1, files
    with open(files[0]) as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope='session')
def tiny_cfg_path() -> str:
    """Path of ``configs/unipixel_tiny_synthetic.py``."""
    return TINY_CFG


@pytest.fixture(scope='session')
def processor_options(tmp_path_factory) -> List[str]:
    """``--cfg-options`` that point the tiny config's pipelines to a tiny
    processor built once: the processes of a run then only read it."""
    save_dir = str(tmp_path_factory.mktemp('tiny_processor'))
    build_tiny_processor(save_dir)
    cfg = Config.fromfile(TINY_CFG)
    options = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for i, transform in enumerate(cfg[loader].dataset.pipeline):
            if 'processor' in transform:
                options.append(
                    f'{loader}.dataset.pipeline.{i}.processor={save_dir}')
    return options


@pytest.fixture(scope='session')
def short_run_options(processor_options) -> List[str]:
    """``--cfg-options`` of :data:`SHORT_RUN` with the tiny processor."""
    return SHORT_RUN + processor_options


@pytest.fixture(scope='session')
def tiny_run(tmp_path_factory, short_run_options) -> str:
    """The work directory of a short training run of the tiny config."""
    work_dir = str(tmp_path_factory.mktemp('tiny_run'))
    args = [TINY_CFG, '--work-dir', work_dir, '--cfg-options']
    run_tool('train', args + short_run_options, cwd=work_dir)
    return work_dir


@pytest.fixture(name='run_tool')
def run_tool_fixture() -> Callable[..., str]:
    """:func:`run_tool` for the tests."""
    return run_tool


@pytest.fixture(name='read_scalars')
def read_scalars_fixture() -> Callable[[str], List[dict]]:
    """:func:`read_scalars` for the tests."""
    return read_scalars
