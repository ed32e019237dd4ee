"""tools/test.py with the benchmark configs on the tiny official-format
fixture: SyntheticShapes, hand-written samples of the benchmarks' formats,
2 processes against 1, and the submission zips."""
import json
import os
import os.path as osp
import re
import sys
import zipfile
from typing import Dict, List, Sequence

import mmengine
import pytest
import torch
from parity_fixture import parity_fixture_files
from ports import free_port
from tool_module import ROOT

BENCHMARKS = osp.join(ROOT, 'configs', 'benchmarks')

mask_utils = pytest.importorskip('pycocotools.mask')
# the writers of the data-set tests
sys.path.insert(0, osp.join(ROOT, 'tests', 'test_datasets'))
from test_reason_seg import write_reason_seg  # noqa: E402
from test_refcoco import write_refcoco  # noqa: E402
from test_referring_video import write_videos  # noqa: E402


def fixture_args(tiny_cfg_path: str, work_dir: str) -> List[str]:
    """The fixture's checkpoint directory as the model of the tiny config."""
    checkpoint, sam2_yaml = parity_fixture_files()
    return [
        checkpoint, '--model-config', tiny_cfg_path, '--sam2-config',
        sam2_yaml, '--work-dir', work_dir
    ]


def tiny_benchmark_options(processor_dir: str) -> List[str]:
    """Options that shrink a benchmark's pipeline to the tiny model's sizes
    (56-112 px Qwen frames, 128 px SAM2 frames, 4 frames) and let it
    generate a few tokens."""
    return [
        f'processor={processor_dir}',
        'test_dataloader.num_workers=0',
        'model.generation_cfg.max_new_tokens=4',
        'test_dataloader.dataset.pipeline.3.min_pixels=3136',
        'test_dataloader.dataset.pipeline.3.max_pixels=12544',
        'test_dataloader.dataset.pipeline.4.size=128',
    ]


def metrics(output: str) -> Dict[str, float]:
    """The metrics of the ``Iter(test)`` summary line."""
    line = [ln for ln in output.splitlines() if 'Iter(test)' in ln][-1]
    return {
        k: float(v)
        for k, v in re.findall(r'(\S+): (-?[\d.]+(?:e-?\d+)?)', line)
        if k not in ('time', 'data_time')
    }


@pytest.fixture(scope='module')
def processor_dir(tmp_path_factory) -> str:
    from unipixel_mm.datasets import build_tiny_processor
    path = str(tmp_path_factory.mktemp('tiny_processor'))
    build_tiny_processor(path)
    return path


def run_benchmark(run_tool, name: str, tiny_cfg_path: str,
                  processor_dir: str, work_dir: str, options: Sequence[str],
                  nproc: int = 1) -> str:
    """tools/test.py on ``configs/benchmarks/<name>.py`` with the fixture."""
    os.makedirs(work_dir, exist_ok=True)
    launcher = torchrun(nproc) if nproc > 1 else []
    args = [osp.join(BENCHMARKS, f'{name}.py')]
    args += fixture_args(tiny_cfg_path, work_dir)
    if nproc > 1:
        args += ['--launcher', 'pytorch']
    args += ['--cfg-options'] + tiny_benchmark_options(processor_dir)
    args += list(options)
    output = run_tool('test', args, cwd=work_dir, launcher=launcher)
    print(output[-3000:])
    return output


def torchrun(nproc: int) -> List[str]:
    """The command that launches ``nproc`` CPU processes."""
    return [
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
        str(nproc), '--master_addr', '127.0.0.1', '--master_port',
        str(free_port())
    ]


# the tiny config's samples with their answers, whose <|seg|> are decoded
# (the tiny config generates the answer)
GIVEN_ANSWERS = [
    'test_dataloader.dataset.test_mode=False',
    'model.generation_cfg.max_new_tokens=0'
]


def test_fixture_on_synthetic_shapes(tmp_path, tiny_cfg_path,
                                     processor_options, run_tool):
    work_dir = str(tmp_path)
    checkpoint, sam2_yaml = parity_fixture_files()
    output = run_tool(
        'test', [
            tiny_cfg_path, checkpoint, '--sam2-config', sam2_yaml,
            '--work-dir', work_dir, '--cfg-options',
            'test_dataloader.dataset.num_samples=4'
        ] + GIVEN_ANSWERS + processor_options,
        cwd=work_dir)
    print(output[-2000:])
    # the given answers hold <|seg|> tokens: the masks are not all empty
    # (the fixture's random LLM would generate none)
    assert 0 < metrics(output)['mask/mIoU'] <= 100


def test_synthetic_shapes_two_processes_match_one(tmp_path, tiny_cfg_path,
                                                  processor_options, run_tool):
    # 5 clips on 2 ranks: the sampler pads rank 1 when the samples are odd,
    # which the gathering of the results must drop
    num_samples = 5
    checkpoint, sam2_yaml = parity_fixture_files()
    scores, dumps = [], []
    for nproc in (1, 2):
        work_dir = str(tmp_path / f'work_{nproc}')
        os.makedirs(work_dir)
        out = osp.join(work_dir, 'preds.pkl')
        args = [
            tiny_cfg_path, checkpoint, '--sam2-config', sam2_yaml,
            '--work-dir', work_dir, '--out', out
        ]
        if nproc > 1:
            args += ['--launcher', 'pytorch']
        args += [
            '--cfg-options', f'test_dataloader.dataset.num_samples='
            f'{num_samples}', 'test_dataloader.num_workers=0'
        ] + GIVEN_ANSWERS + processor_options
        output = run_tool(
            'test',
            args,
            cwd=work_dir,
            launcher=torchrun(nproc) if nproc > 1 else ())
        print(output[-2000:])
        scores.append(metrics(output))
        dumps.append(mmengine.load(out))

    assert 0 < scores[0]['mask/mIoU'] < 100, scores[0]
    assert scores[0] == scores[1]
    # one record per sample (one per named shape of each of the 5 clips),
    # in the data set's order, on both runs
    assert len(dumps[0]) == len(dumps[1]) >= 2 * num_samples
    for dump in dumps:
        assert [r['sample_idx'] for r in dump] == list(range(len(dump)))
    num_masks = 0
    for one, two in zip(*dumps):
        assert len(one['pred_masks']) == len(two['pred_masks'])
        for mask_one, mask_two in zip(one['pred_masks'], two['pred_masks']):
            assert torch.equal(mask_one, mask_two)
            num_masks += int(mask_one.any())
        assert torch.equal(one['gt_masks_ori'], two['gt_masks_ori'])
    assert num_masks > 0


def test_revos_two_processes_match_one(tmp_path, tiny_cfg_path,
                                       processor_dir, run_tool):
    data_root = tmp_path / 'revos'
    write_videos(data_root, data_root)
    options = [
        f'test_dataloader.dataset.data_root={data_root}',
        'test_dataloader.dataset.ann_file=meta_expressions.json',
    ]
    scores = []
    for nproc in (1, 2):
        work_dir = tmp_path / f'work_{nproc}'
        output = run_benchmark(run_tool, 'revos', tiny_cfg_path,
                               processor_dir, str(work_dir), options, nproc)
        scores.append(metrics(output))
    # 4 expressions (one without object): 3 referring, 1 reasoning; R from
    # the foreground masks write_videos adds
    for key in ('vos/J', 'vos/F', 'vos/J&F', 'vos/R', 'vos/referring/J&F',
                'vos/reasoning/J&F', 'vos/referring/R', 'vos/reasoning/R'):
        assert key in scores[0], scores[0]
    assert 0 <= scores[0]['vos/R'] <= 100
    assert scores[0] == scores[1]


def test_mevis_valid_u_table(tmp_path, tiny_cfg_path, processor_dir,
                             run_tool):
    write_videos(tmp_path, tmp_path / 'JPEGImages')
    output = run_benchmark(run_tool, 'mevis_valid_u', tiny_cfg_path,
                           processor_dir, str(tmp_path / 'work'),
                           [f'test_dataloader.dataset.data_root={tmp_path}'])
    assert set(metrics(output)) >= {'vos/J', 'vos/F', 'vos/J&F'}


@pytest.mark.parametrize('name,writer', [
    ('refcoco_testA', write_refcoco),
    ('reason_seg_val', lambda root: write_reason_seg(root, split='val')),
])
def test_image_benchmark_tables(tmp_path, tiny_cfg_path, processor_dir,
                                run_tool, name, writer):
    data_root = writer(tmp_path / 'data')
    output = run_benchmark(
        run_tool, name, tiny_cfg_path, processor_dir, str(tmp_path / 'work'),
        [f'test_dataloader.dataset.data_root={data_root}'])
    scores = metrics(output)
    assert set(scores) >= {'refseg/cIoU', 'refseg/gIoU'}, scores
    assert all(0 <= v <= 100 for v in scores.values())


@pytest.mark.parametrize('name', ['mevis_valid', 'ref_youtube_vos'])
def test_submission_zip(tmp_path, tiny_cfg_path, processor_dir, run_tool,
                        name):
    # the valid splits come without masks
    data_root = tmp_path / 'data'
    write_videos(data_root, data_root / 'JPEGImages')
    (data_root / 'mask_dict.json').unlink()
    out_dir = tmp_path / 'submission'
    options = [
        f'test_dataloader.dataset.data_root={data_root}',
        'test_dataloader.dataset.ann_file=meta_expressions.json',
        'test_dataloader.dataset.data_prefix.img_path=JPEGImages',
        f'test_evaluator.out_dir={out_dir}'
    ]
    output = run_benchmark(run_tool, name, tiny_cfg_path, processor_dir,
                           str(tmp_path / 'work'), options, nproc=2)
    # 4 expressions of 4 frames each
    assert metrics(output)['submission/num_masks'] == 16
    with open(data_root / 'meta_expressions.json') as f:
        videos = json.load(f)['videos']
    expected = {
        f'Annotations/{vid}/{qid}/{frame}.png'
        for vid, meta in videos.items() for qid in meta['expressions']
        for frame in meta['frames']
    }
    with zipfile.ZipFile(out_dir / 'submission.zip') as archive:
        names = {n for n in archive.namelist() if n.endswith('.png')}
    assert names == expected
