import json

import numpy as np
import pytest
from PIL import Image

from unipixel_mm.datasets.templates import (SEG_EXPLANATORY_PROMPTS,
                                            SEG_IMAGE_QUERY_PROMPTS,
                                            SEG_RESPONSES,
                                            SEG_SENTENCE_PROMPTS)
from unipixel_mm.registry import DATASETS

TARGET = [[5.7, 5.2], [35, 5], [35, 25], [5, 25]]
HOLE = [[10, 10], [20, 10], [20, 15], [10, 15]]


def _shape(label, points, name):
    return dict(label=label, points=points, group_id=None,
                shape_type='polygon', flags={}, image_name=name)


def write_reason_seg(root, split='train'):
    """Two images in LISA's ReasonSeg layout plus one explanation."""
    folder = root / split
    folder.mkdir(parents=True)
    metas = {
        'img_a': dict(text=['the cat', 'a sleeping dog'], is_sentence=False,
                      shapes=[_shape('target', TARGET, 'img_a.jpg'),
                              _shape('ignore', HOLE, 'img_a.jpg'),
                              _shape('flag', [[0, 0], [2, 0], [2, 2]],
                                     'img_a.jpg')]),
        'img_b': dict(text=['What could keep the room warm?'],
                      is_sentence=True,
                      shapes=[_shape('target', [[0, 0], [9, 0], [9, 9],
                                                [0, 9]], 'img_b.jpg')]),
    }
    for name, meta in metas.items():
        Image.fromarray(np.full((32, 48, 3), 90, np.uint8)).save(
            folder / f'{name}.jpg')
        with open(folder / f'{name}.json', 'w') as f:
            json.dump(meta, f)
    (root / 'explanatory').mkdir(exist_ok=True)
    with open(root / 'explanatory' / 'train.json', 'w') as f:
        json.dump([dict(image='img_a.jpg', query='Which pet is awake?',
                        outputs='The cat, its eyes are open.',
                        json='img_a.json')], f)
    return root


def test_reason_seg_samples_and_masks(tmp_path, config_dataset_factory,
                                      pipeline_factory, train_step):
    root = write_reason_seg(tmp_path)
    dataset = config_dataset_factory(
        'reason_seg', data_root=str(root),
        pipeline=pipeline_factory(keep_ori_masks=True))
    # two queries and an explanation of img_a, one sentence of img_b
    assert len(dataset) == 4
    infos = [dataset.get_data_info(i) for i in range(4)]
    assert [i['entry'] for i in infos] == [
        'reason_seg train img_a query 0', 'reason_seg train img_a query 1',
        'reason_seg train img_a query exp', 'reason_seg train img_b query 0']
    assert infos[0]['turns'][0]['question'] in [
        p.format('cat') for p in SEG_IMAGE_QUERY_PROMPTS]
    exp = infos[2]['turns'][0]
    assert exp['question'] in [
        p.format('Which pet is awake?') for p in SEG_EXPLANATORY_PROMPTS]
    assert exp['answer'] in [
        f'{r} The cat, its eyes are open.' for r in SEG_RESPONSES]
    assert infos[3]['turns'][0]['question'] in [
        p.format('What could keep the room warm?')
        for p in SEG_SENTENCE_PROMPTS]

    packed = dataset[0]
    mask = packed['data_samples'].gt_masks_ori[0, 0].numpy()
    # the reference's drawing: vertices truncated to int, outline + fill;
    # the ignore hole (drawn after, being smaller) is cut out
    assert mask.sum() == 31 * 21 - 11 * 6
    assert mask[5, 5] and mask[25, 35] and not mask[12, 15]
    assert not mask[0:2, 0:2].any()  # the flag shape is dropped
    # the ignore hole (11 x 6 px) is left out of the scores
    ignore = packed['data_samples'].gt_ignore_masks[0].numpy()
    assert ignore.sum() == 11 * 6 and ignore[12, 15]
    assert 'gt_ignore_masks' not in dataset[3]['data_samples']
    assert (packed['inputs']['input_ids'] == 251).sum() == 1
    train_step([dataset[2], dataset[3]])


def test_reason_seg_ignore_pixels_are_scored_as_background(
        tmp_path, config_dataset_factory, pipeline_factory):
    """infer_seg.py draws the ignore polygons with -1 on a uint8 canvas,
    which OpenCV saturates to 0: ``keep = mask != -1`` keeps every pixel and
    the ignore pixels are background. ``ignore_pixels='exclude'`` leaves
    them out of the intersection and the union."""
    import cv2
    import torch

    from unipixel_mm.registry import METRICS
    root = write_reason_seg(tmp_path)
    dataset = config_dataset_factory(
        'reason_seg', data_root=str(root),
        pipeline=pipeline_factory(keep_ori_masks=True))
    sample = dataset[0]['data_samples']
    gt = sample.gt_masks_ori[:, 0]
    # the whole target box including the hole: the hole's 66 px predicted,
    # counted as false positives (585 / 651) or left out (IoU 1)
    pred = gt | sample.gt_ignore_masks
    assert torch.equal(pred.sum(), torch.tensor(651))
    packed = sample.clone()
    packed.pred_masks = [pred]
    for options, ciou in ((dict(), 100 * 585 / 651),
                          (dict(ignore_pixels='exclude'), 100.0)):
        metric = METRICS.build(dict(type='RefSegMetric', **options))
        metric.process(None, [packed.to_dict()])
        assert metric.evaluate(1)['refseg/cIoU'] == pytest.approx(ciou)
    # without ignore masks both modes score the same
    del packed.gt_ignore_masks
    metric = METRICS.build(dict(type='RefSegMetric', ignore_pixels='exclude'))
    metric.process(None, [packed.to_dict()])
    assert metric.evaluate(1)['refseg/cIoU'] == pytest.approx(
        100 * 585 / 651)
    with pytest.raises(ValueError, match='ignore_pixels'):
        METRICS.build(dict(type='RefSegMetric', ignore_pixels='drop'))
    # why: the reference's -1 on its uint8 canvas is 0
    canvas = np.full((4, 4), 7, np.uint8)
    cv2.fillPoly(canvas, np.array([[[0, 0], [3, 0], [3, 3]]], np.int32), -1)
    assert canvas[0, 3] == 0


def test_reason_seg_val_and_errors(tmp_path, pipeline_factory):
    root = write_reason_seg(tmp_path, split='val')
    dataset = DATASETS.build(
        dict(type='ReasonSegDataset', data_root=str(root), split='val',
             test_mode=True, pipeline=pipeline_factory()))
    assert len(dataset) == 3
    info = dataset.get_data_info(2)
    assert info['turns'][0]['answer'] is None
    assert info['gt_answer'] in SEG_RESPONSES

    # an explanation of an image that is not in the split
    write_reason_seg(tmp_path / 'bad')
    (tmp_path / 'bad' / 'train' / 'img_a.jpg').unlink()
    (tmp_path / 'bad' / 'train' / 'img_a.json').unlink()
    with pytest.raises(ValueError, match=r'1 entries of .*train.json name '
                       r"no train image, e.g. \['img_a'\]"):
        DATASETS.build(dict(type='ReasonSegDataset',
                            data_root=str(tmp_path / 'bad')))
    # a corrupt annotation and an unknown shape label name the file
    ann = root / 'val' / 'img_b.json'
    ann.write_text('{"text": [')
    with pytest.raises(ValueError, match=r'corrupt .*val/img_b.json'):
        DATASETS.build(dict(type='ReasonSegDataset', data_root=str(root),
                            split='val'))
    ann.write_text(json.dumps(dict(
        text=['x'], shapes=[_shape('cat', HOLE, 'img_b.jpg')])))
    with pytest.raises(ValueError, match=r'val/img_b.json shape 0: unknown '
                       "label 'cat'"):
        DATASETS.build(dict(type='ReasonSegDataset', data_root=str(root),
                            split='val'))
    ann.unlink()
    with pytest.raises(FileNotFoundError, match=r'val/img_b.json'):
        DATASETS.build(dict(type='ReasonSegDataset', data_root=str(root),
                            split='val'))


def test_reason_seg_config_at_the_reference_sizes(tmp_path,
                                                  config_dataset_factory):
    root = write_reason_seg(tmp_path)
    dataset = config_dataset_factory('reason_seg', data_root=str(root))
    inputs = dataset[3]['inputs']
    assert inputs['frames'].shape == (1, 3, 768, 768)
    # a 32 x 48 image rises to the 128 x 28 x 28 px minimum: 280 x 392 px
    assert inputs['video_grid_thw'].tolist() == [1, 20, 28]
