"""The benchmark families of the evaluation parity harness.

Each :class:`Family` says how to write its data (a writer of
:mod:`datagen`), which reference scripts evaluate it (run in the data
folder, ``{model}`` / ``{pred}`` filled in), how to read the reference's
metric table, and which of our benchmark configs (with which data options)
computes the same.
"""
import json
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Sequence, Tuple, Union

from . import datagen


@dataclass
class Family:
    """One benchmark family.

    Attributes:
        name (str): Fixture name.
        writer (Callable): ``writer(root, rng, **writer_kwargs)`` -> dict of
            values for ``options``.
        commands (list[list[str]]): Reference scripts (relative to the
            reference tree) and their arguments.
        config (str): Our benchmark config (``configs/benchmarks/``).
        options (list[str]): Our ``--cfg-options``; ``{data_root}`` etc.
            are filled from the writer's dict (paths made absolute).
        metrics (dict): Our metric name -> the reference's table name.
        metric_scale (float): Factor from the reference's numbers to ours
            (100 where it reports fractions).
        task_prefix (str): For ``eval_general.py``'s per-task rows: our
            metric ``<task_prefix>/<task>/accuracy`` is compared with each
            row of the reference's table.
        metrics_file (str | tuple, optional): File(s) of the reference's
            table, relative to the prediction folder; None for a benchmark
            scored by a server: the samples and the written mask PNGs
            (``<video>/<expression>/<frame>.png``, ours in
            ``{work_dir}/submission/Annotations``) are compared.
        judge (bool): Scored by an LLM judge: both sides send their
            requests to :mod:`judge_stub` (``{judge_url}``, with the
            reference's ``system.txt`` in ``{judge_prompt_file}`` for ours)
            and the request bodies are compared too.
        recorded_draws (bool): The reference draws the prompt kind of each
            object (PixelQA ``mix``, Python's ``random``, seeded by the
            harness): our run is given the recorded kinds (the
            ``point_labels`` of each call) instead of drawing its own.
    """
    name: str
    writer: Callable
    commands: List[List[str]]
    config: str
    options: Sequence[str] = ()
    metrics: Dict[str, str] = field(default_factory=dict)
    metrics_file: Union[None, str, Tuple[str, ...]] = 'metrics.log'
    writer_kwargs: Dict[str, str] = field(default_factory=dict)
    metric_scale: float = 1.0
    task_prefix: str = ''
    judge: bool = False
    recorded_draws: bool = False


def _infer_seg(dataset: str, split: str) -> List[str]:
    return [
        'unipixel/eval/infer_seg.py', '--dataset', dataset, '--split', split,
        '--model_path', '{model}', '--seg_pred_path', '{pred}',
        '--workers', '0', '--dtype', 'float32'
    ]


def _infer_general(dataset: str) -> List[str]:
    return [
        'unipixel/eval/infer_general.py', '--dataset', dataset,
        '--split', 'test', '--model_path', '{model}', '--pred_path', '{pred}'
    ]


def _infer_videorefer_q() -> List[str]:
    return [
        'unipixel/eval/infer_videorefer_q.py', '--dataset',
        'videorefer_bench_q', '--split', 'test', '--model_path', '{model}',
        '--res_pred_path', '{pred}'
    ]


REF_SEG_METRICS = {'cIoU': 'CIoU', 'gIoU': 'GIoU'}

FAMILIES = [
    Family(
        'refcoco_val',
        datagen.write_refcoco,
        [_infer_seg('refcoco', 'val'),
         ['unipixel/eval/eval_refcoco.py', '{pred}']],
        'refcoco_val.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        REF_SEG_METRICS),
    Family(
        'refcocog_val',
        datagen.write_refcoco,
        [_infer_seg('refcocog', 'val'),
         ['unipixel/eval/eval_refcoco.py', '{pred}']],
        'refcocog_val.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        REF_SEG_METRICS,
        writer_kwargs=dict(dataset='refcocog', split_by='umd')),
    Family(
        'reason_seg_val',
        datagen.write_reason_seg,
        [_infer_seg('reason_seg', 'val'),
         ['unipixel/eval/eval_refcoco.py', '{pred}']],
        'reason_seg_val.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        REF_SEG_METRICS),
]

REVOS_METRICS = {
    f'{ours}{name}': f'{ref}{name.replace("J&F", "JF")}'
    for ours, ref in (('vos/', 'overall/'), ('vos/referring/', 'referring/'),
                      ('vos/reasoning/', 'reason/'))
    for name in ('J', 'F', 'J&F', 'A', 'R')
}
GROUNDMORE_METRICS = {
    f'vos/{t + "/" if t else ""}{n}':
    f'final_{t.lower() + "_" if t else ""}{n.replace("J&F", "JF")}'
    for t in ('', 'Causal', 'Sequential', 'Counterfactual', 'Descriptive')
    for n in ('J', 'F', 'J&F')
}
VOS_METRICS = {f'vos/{k}': k for k in ('J', 'F', 'J&F')}
MC_METRICS = {'mcq/accuracy': 'all'}
PIXELQA_METRICS = {'pixelqa/accuracy': 'all', 'pixelqa/J': 'J',
                   'pixelqa/F': 'F', 'pixelqa/J&F': 'J&F'}

FAMILIES += [
    Family(
        'revos',
        datagen.write_revos,
        [_infer_seg('revos', 'val'),
         ['unipixel/eval/eval_revos.py', '{pred}']],
        'revos.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        REVOS_METRICS,
        metrics_file='revos_valid.json'),
    Family(
        'mevis_valid_u',
        datagen.write_mevis_valid_u,
        [_infer_seg('mevis', 'valid_u'),
         ['unipixel/eval/eval_seg.py', 'mevis', '{pred}']],
        'mevis_valid_u.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        VOS_METRICS,
        metrics_file='mevis.json'),
    Family(
        'ref_davis17',
        datagen.write_ref_davis17,
        [_infer_seg('ref_davis17', 'valid'),
         ['unipixel/eval/eval_seg.py', 'ref_davis17', '{pred}']],
        'ref_davis17.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        VOS_METRICS,
        metrics_file='ref_davis17.json'),
    Family(
        'ref_youtube_vos',
        datagen.write_ref_youtube_vos,
        [_infer_seg('ref_youtube_vos', 'valid')],
        'ref_youtube_vos.py',
        ['test_dataloader.dataset.data_root={data_root}',
         'test_evaluator.out_dir={work_dir}/submission'],
        metrics_file=None),
    Family(
        'mevis_valid',
        datagen.write_mevis_valid,
        [_infer_seg('mevis', 'valid')],
        'mevis_valid.py',
        ['test_dataloader.dataset.data_root={data_root}',
         'test_evaluator.out_dir={work_dir}/submission'],
        metrics_file=None),
    Family(
        'ref_sav',
        datagen.write_ref_sav,
        [_infer_seg('ref_sav_eval', 'valid'),
         ['unipixel/eval/eval_seg.py', 'ref_sav', '{pred}']],
        'ref_sav.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        VOS_METRICS,
        metrics_file='ref_sav.json'),
    Family(
        'groundmore',
        datagen.write_groundmore,
        [_infer_seg('groundmore', 'test'),
         ['unipixel/eval/eval_groundmore.py', '{pred}']],
        'groundmore.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        GROUNDMORE_METRICS,
        metrics_file='groundmore.json',
        metric_scale=100.0),
    Family(
        'mvbench',
        datagen.write_mvbench,
        [_infer_general('mvbench'),
         ['unipixel/eval/eval_general.py', '{pred}']],
        'mvbench.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        MC_METRICS,
        task_prefix='mcq'),
    Family(
        'videomme',
        datagen.write_videomme,
        [_infer_general('videomme'),
         ['unipixel/eval/eval_general.py', '{pred}']],
        'videomme.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        MC_METRICS,
        task_prefix='mcq'),
    Family(
        'videorefer_bench_q',
        datagen.write_videorefer_bench_q,
        [_infer_videorefer_q(),
         ['unipixel/eval/eval_general.py', '{pred}']],
        'videorefer_bench_q.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        MC_METRICS,
        task_prefix='mcq'),
    Family(
        'videorefer_bench_q_single',
        datagen.write_videorefer_bench_q,
        [_infer_videorefer_q() + ['--single_frame_mode'],
         ['unipixel/eval/eval_general.py', '{pred}']],
        'videorefer_bench_q_single.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        MC_METRICS,
        task_prefix='mcq'),
] + [
    Family(
        f'pixelqa_{kind}',
        datagen.write_videorefer_bench_q,
        [[
            'unipixel/eval/infer_pixelqa.py', '--prompt_type', kind,
            '--model_path', '{model}', '--res_pred_path', '{pred}'
        ], ['unipixel/eval/eval_general.py', '{pred}'],
         ['unipixel/eval/eval_pixelqa.py', '{pred}']],
        f'pixelqa_{kind}.py' if kind != 'mix' else 'pixelqa.py',
        ['test_dataloader.dataset.data_root={data_root}'],
        PIXELQA_METRICS,
        metrics_file=('metrics.log', 'metrics_pixelqa.log'),
        task_prefix='pixelqa',
        # mix: fewer frames (the test's time), two objects still
        writer_kwargs=dict(num_frames=(16, 6)) if kind == 'mix' else {},
        recorded_draws=kind == 'mix')
    for kind in ('point', 'box', 'mix')
]

#: VideoRefer-Bench-D's judge scores (``3.analyze_score.py``).
JUDGE_METRICS = {
    f'videorefer_d/{name}': f'{name}/score'
    for name in ('Subject Correspondence', 'Appearance Description',
                 'Temporal Description', 'Hallucination Detection', 'All')
}

FAMILIES += [
    Family(
        f'videorefer_bench_d{suffix}',
        datagen.write_videorefer_bench_d,
        [[
            'unipixel/eval/infer_videorefer_d.py', '--dataset',
            'videorefer_bench_d', '--split', 'test', '--model_path',
            '{model}', '--res_pred_path', '{pred}'
        ] + flags, ['unipixel/eval/eval_videorefer_d.sh', '{pred}']],
        f'videorefer_bench_d{suffix}.py',
        ['test_dataloader.dataset.data_root={data_root}',
         'test_evaluator.0.judge.base_url={judge_url}',
         'test_evaluator.0.system_prompt_file={judge_prompt_file}',
         # the reference computes no caption scores: no Java start
         'test_evaluator.1.meteor=False'],
        JUDGE_METRICS,
        metrics_file='gpt4o_mini_score.json',
        judge=True)
    for suffix, flags in (('', []), ('_single', ['--single_frame_mode']))
]

FAMILY_BY_NAME = {f.name: f for f in FAMILIES}


def read_metrics(text: str) -> Dict[str, float]:
    """A reference metric table: JSON (nested dicts flattened to
    ``'outer/inner'``) or a log of ``Name: number`` lines."""
    if text.lstrip().startswith('{'):
        return _flatten(json.loads(text))
    out = {}
    for name, value in re.findall(r'^([^:\n|]+):\s*(-?[\d.]+)\s*$', text,
                                  re.M):
        out[name.strip()] = float(value)
    # eval_general.py's table: | Task | #Samples | Failed | Acc |
    for row in re.findall(r'^\|(.+)\|\s*$', text, re.M):
        cells = [c.strip() for c in row.split('|')]
        if len(cells) == 4 and re.fullmatch(r'-?[\d.]+', cells[3]):
            out[cells[0]] = float(cells[3])
    return out


def _flatten(table: dict, prefix: str = '') -> Dict[str, float]:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f'{prefix}{key}/'))
        else:
            out[f'{prefix}{key}'] = float(value)
    return out


#: Rows of the reference's tables that are not tasks.
NOT_TASKS = ('all', 'Total number of files', 'J', 'F', 'J&F')


def metric_names(family: Family, table: Dict[str, float]) -> Dict[str, str]:
    """Our metric name -> the reference's, per-task rows included."""
    names = dict(family.metrics)
    if family.task_prefix:
        for row in table:
            if row not in NOT_TASKS:
                names[f'{family.task_prefix}/{row}/accuracy'] = row
    return names
