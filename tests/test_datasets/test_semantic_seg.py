import json

import numpy as np
import pytest
from PIL import Image

from unipixel_mm.datasets.semantic_seg import (ADE20K_CLASSES,
                                               COCO_STUFF_CLASSES,
                                               MAPILLARY_CLASSES, part_name)
from unipixel_mm.datasets.templates import SEG_IMAGE_QUERY_PROMPTS
from unipixel_mm.registry import DATASETS

pytest.importorskip('pycocotools')


def write_label_maps(root, img_dir, seg_dir, labels, mode='L'):
    """Images and label maps in LISA's layout, one per ``labels`` entry."""
    (root / img_dir).mkdir(parents=True)
    (root / seg_dir).mkdir(parents=True)
    for name, label in labels.items():
        Image.fromarray(np.full((*label.shape, 3), 128, np.uint8)).save(
            root / img_dir / f'{name}.jpg')
        img = Image.fromarray(label.astype(np.uint8))
        if mode == 'P':
            img = img.convert('P')
            img.putpalette([v for i in range(256) for v in (i, i, i)])
        img.save(root / seg_dir / f'{name}.png')
    return root


def _label(*regions, fill=0, size=(24, 32)):
    label = np.full(size, fill, np.uint8)
    for value, (y0, y1, x0, x1) in regions:
        label[y0:y1, x0:x1] = value
    return label


def test_ade20k_classes_become_turns(tmp_path, config_dataset_factory,
                                     pipeline_factory, train_step):
    write_label_maps(
        tmp_path, 'images/training', 'annotations/training', {
            'ADE_train_00000002': _label((1, (0, 12, 0, 32)),
                                         (13, (12, 24, 4, 14)),
                                         (255, (12, 24, 20, 30))),
            'ADE_train_00000001': _label((3, (0, 8, 0, 32))),
        })
    dataset = config_dataset_factory(
        'ade20k', data_root=str(tmp_path),
        pipeline=pipeline_factory(max_turns=-1, keep_ori_masks=True))
    assert len(dataset) == 2
    info = dataset.get_data_info(1)
    assert info['entry'] == 'ade20k ADE_train_00000002'
    assert info['img_path'].endswith('images/training/'
                                     'ADE_train_00000002.jpg')
    # unlabelled (0) and 255 are ignored; 1 wall, 13 person
    assert [o['oid'] for o in info['objects']] == ['1', '13']
    assert ADE20K_CLASSES[13] == 'person'
    assert info['turns'][1]['question'] in [
        p.format('person') for p in SEG_IMAGE_QUERY_PROMPTS]

    packed = dataset[1]
    ori = packed['data_samples'].gt_masks_ori[0]
    assert ori.flatten(1).sum(1).tolist() == [12 * 32, 12 * 10]
    assert ori[1, 12:, 4:14].all()
    assert (packed['inputs']['input_ids'] == 251).sum() == 2
    train_step([dataset[0], packed])


def test_cocostuff_and_mapillary_ignore_ids(tmp_path, pipeline_factory):
    root = write_label_maps(
        tmp_path / 'lisa', 'coco/train2017', 'cocostuff/train2017', {
            '000000000009': _label((0, (0, 5, 0, 5)), (96, (5, 9, 0, 5)),
                                   (1, (10, 20, 10, 20)), fill=255),
        })
    dataset = DATASETS.build(
        dict(type='COCOStuffDataset', data_root=str(root),
             pipeline=pipeline_factory()))
    info = dataset.get_data_info(0)
    # the reference ignores 0 (person) and the unused ids such as 96
    assert info['turns'][0]['question'] in [
        p.format('bicycle') for p in SEG_IMAGE_QUERY_PROMPTS]
    assert [o['oid'] for o in info['objects']] == ['1']
    assert COCO_STUFF_CLASSES[1] == 'bicycle'

    root = write_label_maps(
        tmp_path / 'mapillary', 'training/images', 'training/v2.0/labels', {
            'a': _label((30, (0, 10, 0, 10)), (123, (10, 20, 0, 32)),
                        fill=123),
        }, mode='P')
    dataset = DATASETS.build(
        dict(type='MapillaryDataset', data_root=str(root),
             pipeline=pipeline_factory(keep_ori_masks=True)))
    info = dataset.get_data_info(0)
    assert [o['oid'] for o in info['objects']] == ['30']
    assert MAPILLARY_CLASSES[30] == 'person'
    assert dataset[0]['data_samples'].gt_masks_ori.sum() == 100


def test_label_map_errors_name_the_file(tmp_path, pipeline_factory):
    root = write_label_maps(tmp_path, 'images/training',
                            'annotations/training', {
                                'empty': _label(),
                                'bad': _label((200, (0, 4, 0, 4))),
                            })
    dataset = DATASETS.build(
        dict(type='ADE20KDataset', data_root=str(root),
             pipeline=pipeline_factory()))
    with pytest.raises(ValueError, match=r'ade20k bad: label 200 in '
                       r'.*bad.png is no class of 151'):
        dataset[0]
    with pytest.raises(ValueError, match=r'ade20k empty: no class in '
                       r'.*empty.png'):
        dataset[1]
    (root / 'images' / 'training' / 'bad.jpg').unlink()
    with pytest.raises(ValueError, match=r'ade20k bad: label 200'):
        dataset[0]
    with pytest.raises(FileNotFoundError, match=r'label map folder not '
                       r'found: .*validation'):
        DATASETS.build(dict(type='ADE20KDataset', data_root=str(root),
                            data_prefix=dict(
                                img_path='images/validation',
                                seg_map_path='annotations/validation')))


def write_coco_parts(root, ann_file, img_dir, file_prefix=''):
    (root / img_dir / file_prefix).mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((30, 40, 3), 60, np.uint8)).save(
        root / img_dir / file_prefix / '000000000001.jpg')
    from pycocotools import mask as mask_utils
    square = np.zeros((30, 40), np.uint8, order='F')
    square[20:30, 0:10] = 1
    rle = mask_utils.encode(square)
    rle['counts'] = rle['counts'].decode()
    coco = dict(
        images=[dict(id=1, file_name=file_prefix + '000000000001.jpg',
                     height=30, width=40),
                dict(id=2, file_name=file_prefix + 'none.jpg', height=30,
                     width=40)],
        categories=[dict(id=5, name='mug:handle'),
                    dict(id=6, name='bottle_(drink)'),
                    dict(id=7, name='bottle_(drink):cap')],
        annotations=[
            dict(id=10, image_id=1, category_id=5, iscrowd=0,
                 segmentation=[[0, 0, 10, 0, 10, 10, 0, 10]]),
            dict(id=11, image_id=1, category_id=6, iscrowd=1,
                 segmentation=rle),
            dict(id=12, image_id=1, category_id=7, iscrowd=0,
                 segmentation=[[20, 0, 30, 0, 30, 5, 20, 5]]),
        ])
    (root / ann_file).parent.mkdir(parents=True, exist_ok=True)
    with open(root / ann_file, 'w') as f:
        json.dump(coco, f)
    return root


def test_paco_lvis_parts(tmp_path, config_dataset_factory, pipeline_factory,
                         train_step):
    root = write_coco_parts(
        tmp_path, 'vlpart/paco/annotations/paco_lvis_v1_train.json', 'coco',
        'train2017/')
    dataset = config_dataset_factory(
        'paco_lvis', data_root=str(root),
        pipeline=pipeline_factory(max_turns=-1, keep_ori_masks=True))
    # the image without annotations is left out
    assert len(dataset) == 1
    info = dataset.get_data_info(0)
    assert info['entry'] == 'paco_lvis image 1'
    assert info['img_path'].endswith('coco/train2017/000000000001.jpg')
    questions = [t['question'] for t in info['turns']]
    # (object, part) names read either way round, as the reference does
    assert any(questions[0] == p.format(q) for p in SEG_IMAGE_QUERY_PROMPTS
               for q in ('mug handle', 'handle of the mug'))
    assert any(questions[2] == p.format(q) for p in SEG_IMAGE_QUERY_PROMPTS
               for q in ('bottle cap', 'cap of the bottle'))
    packed = dataset[0]
    ori = packed['data_samples'].gt_masks_ori[0]
    # COCO polygon rasterisation: [0, 10) x [0, 10) and [20, 30) x [0, 5)
    assert ori.flatten(1).sum(1).tolist() == [100, 100, 50]
    assert ori[1, 20:, :10].all()
    train_step([packed])


def test_pascal_part_and_errors(tmp_path, pipeline_factory):
    root = write_coco_parts(tmp_path, 'train.json',
                            'VOCdevkit/VOC2010/JPEGImages')
    dataset = DATASETS.build(
        dict(type='PASCALPartDataset', data_root=str(root),
             pipeline=pipeline_factory()))
    assert dataset.get_data_info(0)['entry'] == 'pascal_part image 1'
    assert dataset[0]['inputs']['frames'].shape == (1, 3, 128, 128)
    assert part_name('dog') == 'dog'
    with open(root / 'train.json') as f:
        coco = json.load(f)
    coco['annotations'][1]['category_id'] = 99
    with open(root / 'train.json', 'w') as f:
        json.dump(coco, f)
    with pytest.raises(ValueError, match=r'train.json annotation 11: no '
                       'category 99'):
        DATASETS.build(dict(type='PASCALPartDataset', data_root=str(root)))
    coco['categories'][0]['name'] = 'a:b:c'
    with open(root / 'train.json', 'w') as f:
        json.dump(coco, f)
    with pytest.raises(ValueError, match=r"'a:b:c' is neither"):
        DATASETS.build(dict(type='PASCALPartDataset', data_root=str(root)))
