import json
import pickle

import numpy as np
import pytest
import torch
from PIL import Image

from unipixel_mm.datasets import unipixel_collate
from unipixel_mm.datasets.templates import SEG_IMAGE_QUERY_PROMPTS
from unipixel_mm.registry import DATASETS

pytest.importorskip('pycocotools')


def write_refcoco(root, dataset='refcoco', split_by='unc'):
    """Two COCO images, three refs, in the refer toolkit's format."""
    img_dir = root / 'images' / 'mscoco' / 'images' / 'train2014'
    img_dir.mkdir(parents=True)
    for i, (h, w) in ((1, (40, 60)), (2, (50, 50))):
        Image.fromarray(np.full((h, w, 3), 50 * i, np.uint8)).save(
            img_dir / f'COCO_train2014_{i:012d}.jpg')
    images = [
        dict(id=1, file_name='COCO_train2014_000000000001.jpg', height=40,
             width=60),
        dict(id=2, file_name='COCO_train2014_000000000002.jpg', height=50,
             width=50)
    ]
    from pycocotools import mask as mask_utils
    square = np.zeros((50, 50), dtype=np.uint8, order='F')
    square[10:30, 5:25] = 1
    rle = mask_utils.encode(square)
    rle['counts'] = rle['counts'].decode()
    annotations = [
        dict(id=11, image_id=1, category_id=1, bbox=[10, 5, 20, 10],
             segmentation=[[10, 5, 30, 5, 30, 15, 10, 15]]),
        dict(id=12, image_id=1, category_id=1, bbox=[40, 20, 10, 10],
             segmentation=[[40, 20, 50, 20, 50, 30, 40, 30]]),
        dict(id=21, image_id=2, category_id=1, bbox=[5, 10, 20, 20],
             segmentation=rle),
    ]
    refs = [
        dict(ref_id=0, ann_id=11, image_id=1, category_id=1, split='train',
             sentences=[dict(sent_id=100, sent='The man on the left.'),
                        dict(sent_id=101, sent='left man')]),
        dict(ref_id=1, ann_id=12, image_id=1, category_id=1, split='testA',
             sentences=[dict(sent_id=102, sent='right dog')]),
        dict(ref_id=2, ann_id=21, image_id=2, category_id=1, split='train',
             sentences=[dict(sent_id=103, sent='a square')]),
    ]
    (root / dataset).mkdir()
    with open(root / dataset / f'refs({split_by}).p', 'wb') as f:
        pickle.dump(refs, f)
    with open(root / dataset / 'instances.json', 'w') as f:
        json.dump(dict(images=images, annotations=annotations,
                       categories=[dict(id=1, name='thing')]), f)
    return root


def test_refcoco_train_samples(tmp_path, pipeline_factory):
    root = write_refcoco(tmp_path)
    dataset = DATASETS.build(
        dict(type='RefCOCODataset', data_root=str(root),
             pipeline=pipeline_factory(max_turns=-1, keep_ori_masks=True)))
    assert len(dataset) == 2
    info = dataset.get_data_info(0)
    assert info['img_path'].endswith('COCO_train2014_000000000001.jpg')
    assert info['task'] == 'seg' and info['prompt_type'] is None
    # the reference's query normalisation: no article, period or capital
    questions = [t['question'] for t in info['turns']]
    assert any(questions[0] == p.format('man on the left')
               for p in SEG_IMAGE_QUERY_PROMPTS)
    assert info['entry'] == 'refcoco(unc) image 1'

    packed = dataset[0]
    inputs, sample = packed['inputs'], packed['data_samples']
    # both sentences of the one train ref, each its own <|seg|>
    assert (inputs['input_ids'] == 251).sum() == 2
    assert sample.gt_masks.shape == (1, 2, 128, 128)
    assert sample.metainfo['frame_size'] == (40, 60)
    ori = sample.gt_masks_ori[0, 0]
    # the polygon (10, 5)-(30, 15) at the original size
    assert ori[6:14, 11:29].all() and not ori[20:].any()
    assert torch.equal(sample.gt_masks_ori[0, 0], sample.gt_masks_ori[0, 1])

    packed = dataset[1]
    ori = packed['data_samples'].gt_masks_ori[0, 0]
    assert ori.sum() == 400 and ori[10:30, 5:25].all()


def test_refcoco_test_split_gives_one_sample_per_sentence(tmp_path,
                                                          pipeline_factory):
    root = write_refcoco(tmp_path)
    dataset = DATASETS.build(
        dict(type='RefCOCODataset', data_root=str(root), split='testA',
             test_mode=True, pipeline=pipeline_factory()))
    assert len(dataset) == 1
    info = dataset.get_data_info(0)
    assert info['entry'] == 'refcoco(unc) sent 102'
    assert info['turns'][0]['answer'] is None
    packed = dataset[0]
    assert packed['inputs']['input_ids'][-2:].tolist() != [251, 2]


def test_refcoco_errors_name_file_and_entry(tmp_path, pipeline_factory):
    root = write_refcoco(tmp_path)
    (root / 'images' / 'mscoco' / 'images' / 'train2014' /
     'COCO_train2014_000000000002.jpg').unlink()
    dataset = DATASETS.build(
        dict(type='RefCOCODataset', data_root=str(root),
             pipeline=pipeline_factory()))
    with pytest.raises(FileNotFoundError,
                       match=r'refcoco\(unc\) image 2 .*000000000002.jpg'):
        dataset[1]
    with open(root / 'refcoco' / 'refs(unc).p', 'rb') as f:
        refs = pickle.load(f)
    refs[0]['ann_id'] = 99
    with open(root / 'refcoco' / 'refs(unc).p', 'wb') as f:
        pickle.dump(refs, f)
    with pytest.raises(ValueError, match=r'refcoco\(unc\) ref 0: annotation '
                       '99 not in .*instances.json'):
        DATASETS.build(dict(type='RefCOCODataset', data_root=str(root)))
    with pytest.raises(FileNotFoundError, match=r'refs\(umd\).p'):
        DATASETS.build(
            dict(type='RefCOCODataset', data_root=str(root), split_by='umd'))


def test_refcoco_config_at_the_reference_sizes(tmp_path,
                                               config_dataset_factory):
    root = write_refcoco(tmp_path)
    dataset = config_dataset_factory('refcoco', data_root=str(root))
    inputs = dataset[0]['inputs']
    assert inputs['frames'].shape == (1, 3, 768, 768)
    # a 40 x 60 image rises to the 128 x 28 x 28 px minimum: 280 x 392 px
    # (ceil(40 * 6.47 / 28) x ceil(60 * 6.47 / 28) patches of 28)
    assert inputs['video_grid_thw'].tolist() == [1, 20, 28]


def test_refcoco_batch_trains_the_tiny_model(tmp_path, pipeline_factory,
                                             model_factory):
    root = write_refcoco(tmp_path)
    dataset = DATASETS.build(
        dict(type='RefCOCODataset', data_root=str(root),
             pipeline=pipeline_factory()))
    model = model_factory().train()
    batch = unipixel_collate([dataset[0], dataset[1]])
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
