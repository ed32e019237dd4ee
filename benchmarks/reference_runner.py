"""Running ``reference_case.py`` on our side and on a reference checkout.

The reference side needs a checkout of PolyU-ChenLab/UniPixel and a Python
that runs it (torch, transformers 4.53.3, hydra-core, iopath, safetensors),
given by ``--reference-root`` (a folder with ``tree/``, an export of the
reference repository, and ``venv/``; default ``$UNIPIXEL_UPSTREAM_ROOT`` or
``~/.cache/unipixel_upstream``) or by ``--reference-tree`` and
``--reference-python``. The tree is copied to a temporary folder that gets
the fixture's SAM2 yaml as ``sam2/configs/tiny_test.yaml`` (the name the
fixture's ``config.json`` gives), so the given tree is left as it is.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import tempfile
from typing import Dict, List, Tuple

import torch

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(HERE)
DEFAULT_FIXTURE = osp.join(ROOT, 'tests', 'data', 'parity', 'upstream_tiny')
# (mode, frames, objects) of ../shared/reference/side_by_side.py
PLAN = [('decode', 8, 1), ('decode', 8, 3),
        ('decode', 8, 8), ('decode', 32, 1), ('decode', 32, 3),
        ('decode', 32, 8), ('train', 8, 1), ('train', 8, 3),
        ('generate', 8, 1)]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    root = os.environ.get(
        'UNIPIXEL_UPSTREAM_ROOT',
        osp.join(
            os.environ.get('XDG_CACHE_HOME', osp.expanduser('~/.cache')),
            'unipixel_upstream'))
    parser.add_argument(
        '--reference-root',
        default=root,
        help='folder with tree/ (the reference checkout) and venv/ (a '
        'Python that runs it)')
    parser.add_argument('--reference-tree', help='overrides ROOT/tree')
    parser.add_argument(
        '--reference-python', help='overrides ROOT/venv/bin/python')
    parser.add_argument(
        '--fixture',
        default=DEFAULT_FIXTURE,
        help='official-format tiny checkpoint with its SAM2 yaml')
    parser.add_argument(
        '--only',
        default='decode,train,generate',
        help='comma-separated modes')
    parser.add_argument(
        '--frames', type=int, nargs='+', help='only these frame counts')
    parser.add_argument(
        '--threads',
        type=int,
        default=2,
        help='torch / OpenMP threads of each side')
    parser.add_argument(
        '--clock',
        default='wall',
        choices=['wall', 'cpu'],
        help='cpu: CPU time of each side\'s process (steadier than wall '
        'time on a loaded machine; use with --threads 1)')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--out', default=None, help='JSON result file')


def plan(args) -> List[Tuple[str, int, int]]:
    modes = args.only.split(',')
    return [(m, f, n) for m, f, n in PLAN
            if m in modes and (not args.frames or f in args.frames)]


class Sides:
    """Runs one case on one side in a fresh process."""

    def __init__(self, args) -> None:
        tree = args.reference_tree or osp.join(args.reference_root, 'tree')
        python = args.reference_python or osp.join(args.reference_root, 'venv',
                                                   'bin', 'python')
        for path in (tree, python):
            if not osp.exists(path):
                sys.exit(f'The reference is missing: {path} (see '
                         '--reference-root)')
        yamls = [f for f in os.listdir(args.fixture) if f.endswith('.yaml')]
        if len(yamls) != 1:
            sys.exit(f'{args.fixture} should hold one SAM2 yaml, found '
                     f'{yamls}')
        self.work = tempfile.mkdtemp(prefix='unipixel_reference_')
        self.tree = osp.join(self.work, 'tree')
        shutil.copytree(tree, self.tree, ignore=shutil.ignore_patterns('.git'))
        shutil.copy(
            osp.join(args.fixture, yamls[0]),
            osp.join(self.tree, 'sam2', 'configs', 'tiny_test.yaml'))
        # the thread count of the sides, as ``common.machine`` reports it
        torch.set_num_threads(args.threads)
        self.python = dict(ours=sys.executable, reference=python)
        self.args = args
        self.env = dict(
            os.environ,
            OMP_NUM_THREADS=str(args.threads),
            CUDA_VISIBLE_DEVICES='',
            PYTHONPATH=os.pathsep.join(
                [ROOT, os.environ.get('PYTHONPATH', '')]))

    def run(self,
            side: str,
            mode: str,
            frames: int,
            objects: int,
            profile: bool = False) -> Dict:
        cmd = [
            self.python[side],
            osp.join(HERE, 'reference_case.py'), side, '--fixture',
            self.args.fixture, '--mode', mode, '--frames',
            str(frames), '--objects',
            str(objects), '--repeats',
            str(self.args.repeats), '--threads',
            str(self.args.threads), '--clock', self.args.clock,
            '--reference-tree', self.tree
        ] + (['--profile'] if profile else [])
        env = self.env if side == 'ours' else dict(
            self.env, PYTHONPATH=self.tree)
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if out.returncode:
            sys.exit(f'{side} {mode} failed:\n{out.stderr[-3000:]}')
        return json.loads(out.stdout.strip().splitlines()[-1])

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def median(values: List[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    return (values[mid - 1] + values[mid]) / 2
