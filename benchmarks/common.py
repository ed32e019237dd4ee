"""Shared helpers of the benchmark scripts: model, timing, table, JSON."""
import argparse
import json
import os
import os.path as osp
import platform
import time
from typing import Callable, Dict, List, Sequence

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_FIXTURE = osp.join(ROOT, 'tests', 'data', 'parity', 'upstream_tiny')


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        '--model',
        default='fixture',
        help='"fixture" (the tiny official-format checkpoint of '
        '$UNIPIXEL_PARITY_FIXTURE), "3b" / "7b" (random weights, official '
        'architecture) or an official checkpoint directory')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--dtype', default=None, help='e.g. bfloat16 (LLM and ViT only)')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--out', default=None, help='JSON result file')
    return parser


def load_model(name: str, device: str, dtype: str = None):
    """The benchmarked model, in eval mode, on ``device``."""
    from mmengine.config import Config

    from unipixel_mm.models.checkpoint import build_from_official
    from unipixel_mm.registry import MODELS
    from unipixel_mm.utils import register_all_modules
    register_all_modules()
    if name == 'fixture':
        fixture = os.environ.get('UNIPIXEL_PARITY_FIXTURE', DEFAULT_FIXTURE)
        yamls = [f for f in os.listdir(fixture) if f.endswith('.yaml')]
        model = build_from_official(
            osp.join(fixture, 'checkpoint'),
            sam2_config=osp.join(fixture, yamls[0]) if yamls else None)
    elif name in ('3b', '7b'):
        cfg = Config.fromfile(osp.join(ROOT, 'configs', f'unipixel_{name}.py'))
        from transformers.modeling_utils import no_init_weights
        with torch.device(device), no_init_weights():
            model = MODELS.build(cfg.model)
    else:
        model = build_from_official(name)
    if dtype:
        model = model.to(getattr(torch, dtype))
    return model.to(device).eval()


def _run_once(fn: Callable[[], object], device: str) -> float:
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return time.perf_counter() - start


def timed(*fns: Callable[[], object], repeats: int,
          device: str) -> List[float]:
    """Shortest wall time of each function over ``repeats`` runs.

    Every function is warmed up once, then the functions run in turn
    (A B A B ...) so that changing load on the machine hits all alike; the
    minimum is the run least disturbed by other work.
    """
    for fn in fns:
        fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, record in zip(fns, times):
            record.append(_run_once(fn, device))
    return [min(record) for record in times]


def machine() -> str:
    if torch.cuda.is_available():
        return torch.cuda.get_device_name()
    return f'{platform.processor() or platform.machine()}, ' \
        f'{torch.get_num_threads()} threads'


def report(title: str,
           columns: Sequence[str],
           rows: List[Dict],
           out: str = None) -> None:
    """Print a table and write the rows with the machine to JSON."""
    widths = [max(len(c), *(len(_fmt(r[c])) for r in rows)) for c in columns]
    print(f'\n{title} ({machine()}, torch {torch.__version__})')
    print('  '.join(c.rjust(w) for c, w in zip(columns, widths)))
    for row in rows:
        print('  '.join(
            _fmt(row[c]).rjust(w) for c, w in zip(columns, widths)))
    if out:
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        with open(out, 'w') as f:
            json.dump(
                dict(title=title, machine=machine(), rows=rows), f, indent=2)


def _fmt(value) -> str:
    return f'{value:.3f}' if isinstance(value, float) else str(value)
