import json

import numpy as np
import pytest
import torch
from PIL import Image

from unipixel_mm.datasets import unipixel_collate
from unipixel_mm.datasets.templates import (SEG_SENTENCE_PROMPTS,
                                            SEG_VIDEO_QUERY_PROMPTS)
from unipixel_mm.registry import DATASETS

mask_utils = pytest.importorskip('pycocotools.mask')


def _rle(top, left, size=(40, 48)):
    mask = np.zeros(size, dtype=np.uint8, order='F')
    mask[top:top + 10, left:left + 12] = 1
    rle = mask_utils.encode(mask)
    rle['counts'] = rle['counts'].decode()
    return rle


def write_videos(root, frame_root, frames=('00000', '00005', '00010',
                                           '00015')):
    """Two videos and their expressions in the MeViS / ReVOS format."""
    videos = {'vidA': list(frames), 'TAO/vidB': list(frames)}
    for vid, names in videos.items():
        (frame_root / vid).mkdir(parents=True)
        for i, name in enumerate(names):
            Image.fromarray(np.full((40, 48, 3), 20 * i, np.uint8)).save(
                frame_root / vid / f'{name}.jpg')
    meta = dict(videos={
        'vidA':
        dict(frames=videos['vidA'], expressions={
            '0': dict(exp='The cat jumping.', obj_id=[1], anno_id=[7]),
            '1': dict(exp='Which animals move?', obj_id=[1, 2],
                      anno_id=[7, 8]),
            '2': dict(exp='nothing', obj_id=[], anno_id=[]),
        }),
        'TAO/vidB':
        dict(frames=videos['TAO/vidB'], expressions={
            '0': dict(exp='the car', obj_id=[3], anno_id=[9]),
        }),
    })
    masks = {
        '7': [_rle(0, 0), None, _rle(5, 5), _rle(10, 10)],
        '8': [None, _rle(20, 30), None, None],
        '9': [None, _rle(0, 0), _rle(2, 2), None],
    }
    with open(root / 'meta_expressions.json', 'w') as f:
        json.dump(meta, f)
    with open(root / 'mask_dict.json', 'w') as f:
        json.dump(masks, f)
    return root


def test_mevis(tmp_path, pipeline_factory):
    write_videos(tmp_path, tmp_path / 'JPEGImages')
    dataset = DATASETS.build(
        dict(type='MeViSDataset', data_root=str(tmp_path),
             ann_file='meta_expressions.json', mask_file='mask_dict.json',
             pipeline=pipeline_factory(num_frames=3, keep_ori_masks=True)))
    # the expression without objects is skipped
    assert len(dataset) == 3
    info = dataset.get_data_info(0)
    assert info['entry'] == 'mevis vidA expression 0'
    assert any(info['turns'][0]['question'] == p.format('cat jumping')
               for p in SEG_VIDEO_QUERY_PROMPTS)
    assert len(info['objects'][0]['masks']) == 4

    packed = dataset[1]
    inputs, sample = packed['inputs'], packed['data_samples']
    assert sample.metainfo['frame_inds'] == [0, 2, 3]
    assert inputs['frames'].shape == (3, 3, 128, 128)
    assert inputs['video_grid_thw'].tolist()[0] == 2
    assert (inputs['input_ids'] == 251).sum() == 1
    ori = sample.gt_masks_ori
    assert ori.shape == (3, 1, 40, 48)
    # union of both annotations on each sampled frame (1, 3, 4)
    assert ori.flatten(1).sum(1).tolist() == [120, 120, 120]
    assert ori[1, 0, 5:15, 5:17].all()


def test_revos_sentences_and_tao_crop(tmp_path, pipeline_factory):
    write_videos(tmp_path, tmp_path)
    dataset = DATASETS.build(
        dict(type='ReVOSDataset', data_root=str(tmp_path),
             ann_file='meta_expressions.json', pipeline=pipeline_factory()))
    assert len(dataset) == 3
    question = dataset.get_data_info(1)['turns'][0]['question']
    assert any(question == p.format('Which animals move?')
               for p in SEG_SENTENCE_PROMPTS)
    tao = dataset.get_data_info(2)
    # frames 00005 and 00010 hold the car
    assert [p[-9:] for p in tao['frame_paths']] == ['00005.jpg', '00010.jpg']
    packed = dataset[2]
    assert packed['data_samples'].gt_masks.flatten(2).any(2).all()


def test_video_errors_name_file_and_entry(tmp_path, pipeline_factory):
    write_videos(tmp_path, tmp_path / 'JPEGImages')
    cfg = dict(type='MeViSDataset', data_root=str(tmp_path),
               ann_file='meta_expressions.json', mask_file='mask_dict.json',
               pipeline=pipeline_factory())
    (tmp_path / 'JPEGImages' / 'vidA' / '00005.jpg').unlink()
    with pytest.raises(FileNotFoundError,
                       match=r'mevis vidA expression 0 .*00005.jpg'):
        DATASETS.build(cfg)[0]
    with open(tmp_path / 'mask_dict.json') as f:
        masks = json.load(f)
    masks['9'] = masks['9'][:2]
    del masks['8']
    with open(tmp_path / 'mask_dict.json', 'w') as f:
        json.dump(masks, f)
    with pytest.raises(ValueError, match=r'mevis vidA expression 1: anno_id '
                       '8 not in .*mask_dict.json'):
        DATASETS.build(cfg)
    masks['8'] = masks['7']
    with open(tmp_path / 'mask_dict.json', 'w') as f:
        json.dump(masks, f)
    with pytest.raises(ValueError, match=r'TAO/vidB expression 0: anno_id 9 '
                       'has 2 masks'):
        DATASETS.build(cfg)


def test_configs_at_the_reference_sizes(tmp_path, config_dataset_factory):
    write_videos(tmp_path, tmp_path / 'JPEGImages')
    dataset = config_dataset_factory('mevis', data_root=str(tmp_path))
    inputs = dataset[0]['inputs']
    assert inputs['frames'].shape == (4, 3, 768, 768)
    # 40 x 48 px frames rise to the 128 x 28 x 28 px minimum: 308 x 364 px
    assert inputs['video_grid_thw'].tolist() == [2, 22, 26]
    write_videos(tmp_path / 'revos', tmp_path / 'revos')
    dataset = config_dataset_factory(
        'revos', data_root=str(tmp_path / 'revos'),
        ann_file='meta_expressions.json')
    assert len(dataset) == 3


def test_mevis_batch_trains_the_tiny_model(tmp_path, pipeline_factory,
                                           model_factory):
    write_videos(tmp_path, tmp_path / 'JPEGImages')
    dataset = DATASETS.build(
        dict(type='MeViSDataset', data_root=str(tmp_path),
             ann_file='meta_expressions.json', mask_file='mask_dict.json',
             pipeline=pipeline_factory(num_frames=2)))
    model = model_factory().train()
    batch = unipixel_collate([dataset[0], dataset[1]])
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())


def test_video_ids_frame_names_and_revos_splits(tmp_path, pipeline_factory):
    write_videos(tmp_path, tmp_path)
    dataset = DATASETS.build(
        dict(type='ReVOSDataset', data_root=str(tmp_path),
             ann_file='meta_expressions.json', skip_empty=False,
             test_mode=True,
             pipeline=pipeline_factory(num_frames=2, keep_ori_masks=True)))
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [(i['video_id'], i['exp_id'], i['split']) for i in infos] == [
        ('vidA', '0', 'referring'), ('vidA', '1', 'reasoning'),
        ('vidA', '2', 'referring'), ('TAO/vidB', '0', 'referring')
    ]
    # evaluation keeps every frame of TAO videos
    assert infos[3]['frame_names'] == ['00000', '00005', '00010', '00015']
    meta = dataset[1]['data_samples'].metainfo
    assert (meta['video_id'], meta['exp_id'], meta['split']) == \
        ('vidA', '1', 'reasoning')
    assert [meta['frame_names'][i] for i in meta['frame_inds']] == \
        ['00000', '00015']


def test_splits_without_masks_keep_every_expression(tmp_path,
                                                    pipeline_factory):
    write_videos(tmp_path, tmp_path / 'JPEGImages')
    for cls in ('MeViSDataset', 'RefYouTubeVOSDataset'):
        dataset = DATASETS.build(
            dict(type=cls, data_root=str(tmp_path),
                 ann_file='meta_expressions.json', mask_file=None,
                 data_prefix=dict(img_path='JPEGImages'), test_mode=True,
                 pipeline=pipeline_factory(keep_ori_masks=True)))
        assert len(dataset) == 4
        sample = dataset[0]['data_samples']
        assert sample.gt_masks_ori.shape == (4, 1, 40, 48)
        assert not sample.gt_masks_ori.any()
        assert sample.metainfo['frame_names'] == [
            '00000', '00005', '00010', '00015'
        ]


def test_evaluation_samples_do_not_depend_on_order(tmp_path,
                                                   pipeline_factory):
    write_videos(tmp_path, tmp_path)
    dataset = DATASETS.build(
        dict(type='ReVOSDataset', data_root=str(tmp_path),
             ann_file='meta_expressions.json', test_mode=True,
             pipeline=pipeline_factory(num_frames=2)))
    first = dataset[1]['inputs']['input_ids']
    np.random.seed(123)
    dataset[0]
    assert torch.equal(dataset[1]['inputs']['input_ids'], first)
