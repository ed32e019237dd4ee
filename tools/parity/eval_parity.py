"""Record the reference's evaluation of small benchmark data sets.

For each benchmark family (:mod:`families`) this writes a few samples in the
benchmark's on-disk layout from ``--seed``, runs the reference's own
``unipixel/eval/infer_*.py`` and ``eval_*.py`` on them with the tiny
official-format checkpoint of :mod:`checkpoint` (on the CPU, through
``reference_shim/sitecustomize.py``), and writes a fixture folder:

- ``meta.json``: seed, checkpoint recipe, families;
- ``<family>.json``: per sample the model inputs (frame files, pixel
  budgets, prompt ids, grid, fps, checksums of the pixel values and SAM2
  frames, visual prompts, generation options), the new token ids, the
  masks (COCO RLE) and the reference's metric table; for a server-scored
  benchmark the mask PNGs written (``pred_files``); for VideoRefer-Bench-D
  the judge's ``system.txt`` and request bodies (``judge``), sent to the
  local endpoint of :mod:`judge_stub` (the judge scripts need the
  ``openai`` package in the reference Python: ``pip install
  openai==1.99.1``, the version the reference pins).

The reference's Python ``random`` is seeded with ``--seed`` (PixelQA
``mix`` draws its prompt kinds with it).

``tests/test_tools/test_eval_parity.py`` regenerates the same data from the
seed and checks ``tools/test.py`` against it.

Example::

    python tools/parity/eval_parity.py --seed 1 --out /tmp/parity_seed1
    UNIPIXEL_EVAL_PARITY_FIXTURE=/tmp/parity_seed1 \\
        python -m pytest tests/test_tools/test_eval_parity.py
"""
import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import tempfile
from typing import Dict, List

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.parity import checkpoint as ckpt  # noqa: E402
from tools.parity import families as fams  # noqa: E402
from tools.parity.compare import read_pred_pngs  # noqa: E402
from tools.parity.data import data_digest, write_family  # noqa: E402
from tools.parity.judge_stub import running_stub  # noqa: E402

UPSTREAM = osp.join(
    os.environ.get('XDG_CACHE_HOME', osp.expanduser('~/.cache')),
    'unipixel_upstream')
SOURCE_CKPT = osp.join(ROOT, 'tests', 'data', 'parity', 'upstream_tiny')
#: VideoRefer-Bench-D's judge instructions in the reference tree.
JUDGE_PROMPT = 'unipixel/eval/videorefer_bench_d/system.txt'
SHIM = osp.join(osp.dirname(osp.abspath(__file__)), 'reference_shim')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--reference-tree',
        default=osp.join(UPSTREAM, 'tree'),
        help='a checkout of PolyU-ChenLab/UniPixel')
    parser.add_argument(
        '--reference-python',
        default=osp.join(UPSTREAM, 'venv', 'bin', 'python'),
        help='a Python that runs the reference')
    parser.add_argument(
        '--reference-pythonpath',
        default=osp.join(UPSTREAM, 'extra_site'),
        help='extra import folder of the reference Python (imageio, decord, '
        'pandas, ... when its venv lacks them); ignored when missing')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', required=True, help='fixture folder')
    parser.add_argument(
        '--families',
        default=','.join(f.name for f in fams.FAMILIES),
        help='comma-separated family names')
    parser.add_argument('--keep-work', action='store_true')
    return parser.parse_args()


def reference_tree(tree: str, work: str) -> str:
    """A private copy of the reference tree holding the tiny SAM2 yaml
    (``configs/tiny_test`` of the checkpoint), so the given tree stays as
    it is."""
    out = osp.join(work, 'reference')
    shutil.copytree(tree, out, ignore=shutil.ignore_patterns('.git'))
    shutil.copy(
        osp.join(SOURCE_CKPT, 'sam2_tiny.yaml'),
        osp.join(out, 'sam2', 'configs', 'tiny_test.yaml'))
    return out


def run_reference(args, tree: str, family: fams.Family, data_dir: str,
                  model: str, judge_url: str = '') -> List[dict]:
    """Runs the family's reference scripts in ``data_dir``.

    A ``.py`` script runs with the reference Python; a ``.sh`` one with
    bash, that Python first on ``PATH`` and the tree's ``unipixel`` folder
    linked into ``data_dir`` (the scripts name their helpers relative to
    the working directory). ``judge_url`` is given to the ``openai`` client
    as ``$OPENAI_BASE_URL``.

    Returns:
        list[dict]: The recorded model calls, in order.
    """
    record = osp.join(data_dir, 'calls.jsonl')
    pred = osp.join(data_dir, 'pred')
    paths = [SHIM, tree]
    if osp.isdir(args.reference_pythonpath):
        paths.append(args.reference_pythonpath)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(paths),
        UNIPIXEL_PARITY_RECORD=record,
        # Python's random, unseeded in the scripts (PixelQA mix)
        UNIPIXEL_PARITY_RANDOM_SEED=str(args.seed),
        CUDA_VISIBLE_DEVICES='',
        OMP_NUM_THREADS='1')
    if judge_url:
        env.update(OPENAI_BASE_URL=judge_url, NO_PROXY='127.0.0.1',
                   no_proxy='127.0.0.1')
    for command in family.commands:
        argv = [a.format(model=model, pred=pred) for a in command]
        if argv[0].endswith('.sh'):
            link = osp.join(data_dir, 'unipixel')
            if not osp.lexists(link):
                os.symlink(osp.join(tree, 'unipixel'), link)
            env['PATH'] = os.pathsep.join(
                [osp.dirname(args.reference_python), env.get('PATH', '')])
            argv = ['bash'] + argv
        else:
            argv = [args.reference_python, osp.join(tree, argv[0])
                    ] + argv[1:]
        proc = subprocess.run(argv,
                              cwd=data_dir,
                              env=env,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              text=True)
        # the scripts print a failed sample or a worker's traceback and
        # score it 0 (a failed judge call: 'error. model generation
        # failed.')
        if proc.returncode != 0 or any(
                m in proc.stdout
                for m in ('Traceback', 'Inference failed', 'error:',
                          'generation failed', '####error num')):
            raise RuntimeError(f'{family.name}: {" ".join(argv)} failed:\n'
                               f'{proc.stdout[-4000:]}')
    with open(record) as f:
        return [json.loads(line) for line in f]


def record_family(args, tree: str, family: fams.Family, work: str,
                  model: str) -> Dict:
    """Writes the family's data, runs the reference and returns the
    fixture entry (a judged family's with ``judge``: the reference's
    ``system.txt`` and the request bodies its judge script sent)."""
    data_dir = osp.join(work, family.name)
    write_family(family, data_dir, args.seed)
    digest = data_digest(data_dir)
    judge = None
    if family.judge:
        if subprocess.run([args.reference_python, '-c', 'import openai'],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            raise SystemExit(
                f'error: {family.name}: the reference\'s judge scripts need '
                f'the openai package in {args.reference_python} (pip '
                'install openai==1.99.1, the version the reference pins)')
        with running_stub() as stub:
            calls = run_reference(args, tree, family, data_dir, model,
                                  stub.base_url)
            requests = list(stub.requests)
        if len(requests) != len(calls):
            raise RuntimeError(f'{family.name}: {len(calls)} samples but '
                               f'{len(requests)} judge requests')
        with open(osp.join(tree, JUDGE_PROMPT), encoding='utf-8') as f:
            judge = dict(system_prompt=f.read(), requests=requests)
    else:
        calls = run_reference(args, tree, family, data_dir, model)
    table = {}
    files = family.metrics_file or ()
    for name in [files] if isinstance(files, str) else files:
        with open(osp.join(data_dir, 'pred', name)) as f:
            table.update(fams.read_metrics(f.read()))
    entry = dict(family=family.name, config=family.config,
                 data_digest=digest, calls=calls, metrics=table)
    if judge is not None:
        entry['judge'] = judge
    if family.metrics_file is None:  # scored by a server: the files sent
        entry['pred_files'] = read_pred_pngs(osp.join(data_dir, 'pred'))
    return entry


def main() -> None:
    args = parse_args()
    for path in (args.reference_tree, args.reference_python):
        if not osp.exists(path):
            raise SystemExit(f'error: {path} does not exist')
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix='eval_parity_')
    try:
        tree = reference_tree(args.reference_tree, work)
        model = ckpt.build_parity_checkpoint(
            osp.join(SOURCE_CKPT, 'checkpoint'), osp.join(work, 'model'))
        names = [n for n in args.families.split(',') if n]
        for name in names:
            if name not in fams.FAMILY_BY_NAME:
                raise SystemExit(f'error: unknown family {name}')
            entry = record_family(args, tree, fams.FAMILY_BY_NAME[name], work,
                                  model)
            with open(osp.join(args.out, f'{name}.json'), 'w') as f:
                json.dump(entry, f, indent=1)
            print(f'{name}: {len(entry["calls"])} samples, '
                  f'{entry["metrics"]}')
        meta_path = osp.join(args.out, 'meta.json')
        meta = dict(seed=args.seed, families=[])
        if osp.exists(meta_path):
            with open(meta_path) as f:
                meta = json.load(f)
            if meta['seed'] != args.seed:
                raise SystemExit(f'error: {args.out} holds seed '
                                 f'{meta["seed"]}, not {args.seed}')
        meta['families'] = sorted(set(meta['families']) | set(names))
        meta['checkpoint'] = dict(
            source='tests/data/parity/upstream_tiny/checkpoint',
            chains=ckpt.CHAINS, embed_scale=ckpt.EMBED_SCALE,
            head_scale=ckpt.HEAD_SCALE)
        with open(meta_path, 'w') as f:
            json.dump(meta, f, indent=1)
    finally:
        if args.keep_work:
            print(f'work folder: {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
