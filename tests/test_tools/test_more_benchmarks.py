"""tools/test.py with the tiny fixture model on hand-written samples of
Ref-SAV, GroundMoRe, VideoRefer-Bench-Q, PixelQA, MVBench and Video-MME
(VideoRefer-Bench-D, with a stub judge: test_videorefer_bench_d.py)."""
import importlib.util
import json
import math
import os.path as osp
import sys
from typing import Dict

import numpy as np
import pytest
from test_benchmarks import metrics, run_benchmark
from tool_module import ROOT

pytest.importorskip('pycocotools')
pytest.importorskip('av')
# the writers of the data-set tests
sys.path.insert(0, osp.join(ROOT, 'tests', 'test_datasets'))
from test_multimodal import write_mvbench  # noqa: E402
from test_video_sets import write_meta  # noqa: E402
from test_video_sets import _box, write_frames, write_groundmore  # noqa: E402
from test_videorefer import write_bench  # noqa: E402


def _data_conftest():
    """tests/test_datasets/conftest.py (not importable by name here)."""
    spec = importlib.util.spec_from_file_location(
        'data_conftest', osp.join(ROOT, 'tests', 'test_datasets',
                                  'conftest.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_DATA = _data_conftest()
encode_rle, write_video = _DATA.encode_rle, _DATA.write_video

# fewer frames for the QA benchmarks (16 in the configs)
FOUR_FRAMES = 'test_dataloader.dataset.pipeline.0.num_frames=4'


@pytest.fixture(scope='module')
def processor_dir(tmp_path_factory) -> str:
    from unipixel_mm.datasets import build_tiny_processor
    path = str(tmp_path_factory.mktemp('tiny_processor'))
    build_tiny_processor(path)
    return path


def finite_scores(output: str, keys) -> Dict[str, float]:
    """The printed metrics; ``keys`` are among them, all are finite."""
    scores = metrics(output)
    assert set(scores) >= set(keys), scores
    assert all(math.isfinite(v) for v in scores.values()), scores
    return scores


def run(run_tool, name, tiny_cfg_path, processor_dir, tmp_path, options):
    return run_benchmark(run_tool, name, tiny_cfg_path, processor_dir,
                         str(tmp_path / 'work'), options)


def test_ref_sav(tmp_path, tiny_cfg_path, processor_dir, run_tool):
    root = tmp_path / 'ref_sav'
    write_frames(root / 'videos' / 'sav_1', ['00000.jpg', '00004.jpg'])
    write_meta(
        root / 'meta_expressions_valid.json', {
            'sav_1':
            dict(
                frames=['00000', '00004'],
                expressions={
                    '0':
                    dict(
                        exp='A box that slides along the table.',
                        obj_id=[1],
                        anno_id=[3]),
                    '1':
                    dict(
                        exp='The still box in the corner.',
                        obj_id=[2],
                        anno_id=[4])
                })
        })
    with open(root / 'mask_dict.json', 'w') as f:
        json.dump(
            {
                '3': [encode_rle(_box(0, 0)), None],
                '4': [encode_rle(_box(30, 30))] * 2
            }, f)
    output = run(run_tool, 'ref_sav', tiny_cfg_path, processor_dir, tmp_path,
                 [f'test_dataloader.dataset.data_root={root}'])
    finite_scores(output, ['vos/J', 'vos/F', 'vos/J&F'])


def test_groundmore(tmp_path, tiny_cfg_path, processor_dir, run_tool):
    root = write_groundmore(tmp_path / 'groundmore')
    output = run(run_tool, 'groundmore', tiny_cfg_path, processor_dir,
                 tmp_path, [f'test_dataloader.dataset.data_root={root}'])
    # the two questions of vid1, one per question type
    finite_scores(
        output,
        ['vos/J', 'vos/F', 'vos/J&F', 'vos/Causal/J&F', 'vos/Future/J&F'])


@pytest.mark.parametrize('name,keys', [
    pytest.param('videorefer_bench_q', ['mcq/accuracy']),
    pytest.param('pixelqa', ['pixelqa/accuracy', 'pixelqa/J&F']),
])
def test_videorefer_bench_q_and_pixelqa(tmp_path, tiny_cfg_path, processor_dir,
                                        run_tool, name, keys):
    root = write_bench(tmp_path / 'videorefer', write_video, encode_rle)
    output = run(run_tool, name, tiny_cfg_path, processor_dir, tmp_path,
                 [f'test_dataloader.dataset.data_root={root}', FOUR_FRAMES])
    scores = finite_scores(output, keys)
    assert 0 <= scores[keys[0]] <= 100


def test_mvbench(tmp_path, tiny_cfg_path, processor_dir, run_tool):
    root = write_mvbench(tmp_path / 'mvbench', write_video)
    tasks = ('[(Moving Count,moving_count.json,clevrer/video_validation,'
             'video),(Episodic Reasoning,episodic_reasoning.json,'
             'tvqa/frames_fps3_hq,frame)]')
    output = run(run_tool, 'mvbench', tiny_cfg_path, processor_dir, tmp_path, [
        f'test_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.tasks={tasks}', FOUR_FRAMES
    ])
    scores = finite_scores(output, ['mcq/accuracy'])
    assert 0 <= scores['mcq/accuracy'] <= 100


def test_videomme_records(tmp_path, tiny_cfg_path, processor_dir, run_tool):
    root = tmp_path / 'videomme'
    (root / 'videos_3fps_480_noaudio').mkdir(parents=True)
    records = []
    for i, (vid, duration) in enumerate([('vidA', 'short'), ('vidB', 'long')]):
        write_video(root / 'videos_3fps_480_noaudio' / f'{vid}.mp4',
                    np.full((4, 32, 32, 3), 60 * i, np.uint8))
        records.append(
            dict(
                videoID=vid,
                question_id=f'00{i}-1',
                duration=duration,
                question='What is it?',
                options=['A. A cat.', 'B. A dog.', 'C. A car.', 'D. A cup.'],
                answer='ABCD'[i]))
    with open(root / 'videomme.json', 'w') as f:
        json.dump(records, f)
    output = run(
        run_tool, 'videomme', tiny_cfg_path, processor_dir, tmp_path, [
            f'test_dataloader.dataset.data_root={root}',
            'test_dataloader.dataset.ann_file=videomme.json', FOUR_FRAMES
        ])
    scores = finite_scores(output, ['mcq/accuracy'])
    assert 0 <= scores['mcq/accuracy'] <= 100
