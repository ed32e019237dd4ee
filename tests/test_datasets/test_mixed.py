"""The training mixture and the recipe config."""
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image
from tool_module import ROOT

from unipixel_mm.registry import DATASETS


def _reason_seg(root):
    (root / 'train').mkdir(parents=True)
    for name in ('a', 'b'):
        Image.fromarray(np.full((28, 28, 3), 99, np.uint8)).save(
            root / 'train' / f'{name}.jpg')
        with open(root / 'train' / f'{name}.json', 'w') as f:
            json.dump(dict(text=['the thing'], is_sentence=False, shapes=[
                dict(label='target', shape_type='polygon',
                     points=[[2, 2], [20, 2], [20, 20]])]), f)
    return root


def test_mixture_repeats_and_table(tmp_path, pipeline_factory, train_step):
    pipeline = pipeline_factory()
    mixed = DATASETS.build(dict(
        type='MixedPixelDataset',
        datasets=[
            dict(type='RepeatDataset', times=3, dataset=dict(
                type='ReasonSegDataset', explanatory_file=None,
                data_root=str(_reason_seg(tmp_path / 'rs')),
                pipeline=pipeline)),
            dict(type='SyntheticShapesDataset', num_samples=4,
                 tasks=('seg', 'region'), pipeline=pipeline),
        ]))
    assert len(mixed) == 2 * 3 + 4
    rows = mixed.summary()
    assert [(r['source'], r['repeat'], r['samples']) for r in rows] == [
        ('reason_seg', 3, 6), ('SyntheticShapesDataset', 1, 4)]
    assert rows[0]['ratio'] == pytest.approx(0.6)
    assert mixed.table().splitlines()[1].split() == [
        'reason_seg', '3', '6', '0.60000']
    assert mixed.metainfo == dict(
        sources=('reason_seg', 'SyntheticShapesDataset'))
    # repeats cycle through the source; index 7 is synthetic sample 1
    assert mixed.get_data_info(4)['entry'] == \
        mixed.get_data_info(0)['entry']
    assert mixed.get_data_info(7)['entry'] == 'synthetic_shapes 1'
    train_step([mixed[0], mixed[7]])


def test_mixture_retries_other_samples_of_the_source(tmp_path,
                                                     pipeline_factory):
    root = _reason_seg(tmp_path)
    (root / 'train' / 'a.jpg').write_bytes(b'not a jpeg')
    cfg = dict(
        type='MixedPixelDataset',
        datasets=[dict(type='ReasonSegDataset', data_root=str(root),
                       explanatory_file=None,
                       pipeline=pipeline_factory())])
    with pytest.raises(OSError, match=r'reason_seg train a query 0 .*a.jpg'):
        DATASETS.build(cfg)[0]
    mixed = DATASETS.build(dict(cfg, max_retries=50))
    packed = mixed[0]
    assert packed['data_samples'].metainfo['entry'] == \
        'reason_seg train b query 0'
    with pytest.raises(IndexError):
        mixed[2]


def test_recipe_config_lists_the_reference_sources():
    cfg = Config.fromfile(osp.join(ROOT, 'configs', '_base_', 'datasets',
                                   'unipixel_recipe_mix.py'))
    sources = cfg.stage3_dataset.datasets
    times = [s.get('times', 1) for s in sources]
    # scripts/launch_3b.sh, stage 3
    assert times == [5, 5, 3, 5, 10, 3, 3, 3, 10, 3, 3, 3, 3, 3, 10, 10, 10,
                     10, 5, 5, 5, 5, 5, 5, 3, 3, 1]
    types = [s.get('dataset', s)['type'] for s in sources]
    assert types.count('RefCOCODataset') == 4
    assert types[-1] == 'LLaVAInstructDataset'
    tasks = [s['dataset'].get('task') for s in sources[-3:-1]]
    assert tasks == ['mem', 'mem']
    assert cfg.train_dataloader.dataset.max_retries == 10
    assert [s.get('times', 1) for s in cfg.stage2_dataset.datasets] == [
        5, 5, 5, 5, 3]
    assert [s.get('task') for s in cfg.stage1_dataset.datasets] == [
        'ref', None]
