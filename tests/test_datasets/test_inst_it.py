"""Inst-IT image (ref form) and video (region and mem forms)."""
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from unipixel_mm.datasets.templates import (REF_IMAGE_SHORT_PROMPTS,
                                            SEG_MEMORY_PROMPTS)
from unipixel_mm.datasets.transforms import SingleFramePrompts
from unipixel_mm.registry import DATASETS

pytest.importorskip('pycocotools')
SIZE = (40, 48)


def _box(top, left):
    mask = np.zeros(SIZE, bool)
    mask[top:top + 10, left:left + 12] = True
    return mask


def write_inst_it(root, rle_encoder):
    (root / 'images_raw' / 'coco').mkdir(parents=True)
    Image.fromarray(np.full((*SIZE, 3), 50, np.uint8)).save(
        root / 'images_raw' / 'coco' / 'img1.jpg')
    images = [dict(
        image_id='img1', image_path='images/coco/img1.jpg',
        instance_level_caption={'1': dict(short='A red cup.', long='...'),
                                '2': dict(short='A spoon.', long='...')},
        segmentations={'1': dict(mask=rle_encoder(_box(0, 0))),
                       '2': dict(mask=rle_encoder(_box(20, 20)))})]
    frames = root / 'videos_raw' / 'ytb' / 'vid1'
    frames.mkdir(parents=True)
    for i in (1, 2, 3):
        Image.fromarray(np.full((*SIZE, 3), 40 * i, np.uint8)).save(
            frames / f'{i}.jpg')
    segs = {'1.jpg': {'1': dict(mask=rle_encoder(_box(0, 0))),
                      '2': dict(mask=rle_encoder(_box(20, 20)))},
            '2.jpg': {'1': dict(mask=rle_encoder(_box(5, 5)))},
            '3.jpg': {'1': dict(mask=rle_encoder(_box(10, 10))),
                      '2': dict(mask=rle_encoder(_box(25, 25)))}}
    videos = [dict(
        video_id='vid1', video_path='videos/ytb/vid1', segmentations=segs,
        question_answer_pairs=[
            dict(question='What does [02] do at <0>?', answer='[2] waits.'),
            dict(question='Is it sunny?', answer='Yes.'),
            dict(question='Where are [1] and [2]?',
                 answer='[1] is left of [2].'),
        ])]
    for name, data in (('inst_it_dataset_image_51k_w_mask', images),
                       ('inst_it_dataset_video_21k_w_mask', videos)):
        with open(root / f'{name}.json', 'w') as f:
            json.dump(data, f)
    return root


def test_inst_it_image_short_captions(tmp_path, config_dataset_factory,
                                      pipeline_factory, rle_encoder,
                                      train_step):
    root = write_inst_it(tmp_path, rle_encoder)
    dataset = config_dataset_factory('inst_it_image_short_caption_ref',
                                     data_root=str(root),
                                     pipeline=pipeline_factory())
    assert len(dataset) == 2
    info = dataset.get_data_info(1)
    assert info['entry'] == 'inst_it_image img1 instance 2'
    assert info['img_path'].endswith('images_raw/coco/img1.jpg')
    assert info['task'] == 'ref'
    assert info['turns'][0]['question'] in REF_IMAGE_SHORT_PROMPTS
    assert info['turns'][0]['answer'] == 'A spoon.'
    packed = dataset[1]
    coords = packed['data_samples'].prompt_coords[0]
    # the prompt is drawn inside the instance (rows 20-30 of 40, SAM2 128)
    assert (coords[:, 1] >= 20 / 40 * 128 - 8).all()
    train_step([dataset[0], packed])


def test_inst_it_video_region_and_mem(tmp_path, config_dataset_factory,
                                      pipeline_factory, rle_encoder,
                                      tiny_processor, train_step):
    root = write_inst_it(tmp_path, rle_encoder)
    region = config_dataset_factory(
        'inst_it_video_qa', data_root=str(root),
        pipeline=pipeline_factory(max_turns=-1))
    # the question with no instance is left out
    assert len(region) == 2
    info = region.get_data_info(0)
    assert info['entry'] == 'inst_it_video vid1 qa 0'
    # the reference's id fixes: [02] -> [2], <0> -> <1>
    assert info['turns'][0]['question'] == 'What does [2] do at <1>?'
    assert [o['oid'] for o in info['objects']] == ['2']
    # instances in the order the video's QA first mention them
    assert [o['oid'] for o in region.get_data_info(1)['objects']] == [
        '2', '1']
    packed = region[1]
    text = tiny_processor.tokenizer.decode(packed['inputs']['input_ids'])
    assert ('[2]: <1>-<2> <|mem|> <3>-<4> <|mem|>\n[1]: <1>-<2> <|mem|> '
            '<3>-<4> <|mem|>\nWhere are [1] and [2]?') in text

    mem = config_dataset_factory('inst_it_video_qa_mem',
                                 data_root=str(root),
                                 pipeline=pipeline_factory())
    assert len(mem) == 2
    question = mem.get_data_info(1)['turns'][0]['question']
    inner = ('Where are [1] <|ref|> and [2] <|ref|>?\nOptions:\n({}) [1] is '
             'left of [2].')
    assert any(question == p.format(inner.format(c))
               for p in SEG_MEMORY_PROMPTS for c in 'ABCD')
    assert mem.get_data_info(1)['turns'][0]['answer'] == \
        '[1] <|seg|> [2] <|seg|>'
    train_step([region[0], packed, mem[1]])


def test_single_frame_prompts():
    masks = np.zeros((3, 2, 4, 4), bool)
    masks[:, 0, 0, 0] = True
    masks[1:, 1, 1, 1] = True
    np.random.seed(0)
    kept = set()
    for _ in range(20):
        out = SingleFramePrompts(prob=1.0)(dict(obj_masks=masks.copy()))
        present = out['obj_masks'].reshape(3, 2, -1).any(-1)
        # one frame on which both objects show (1 or 2) keeps its masks
        assert present.sum() == 2 and present.all(1).sum() == 1
        kept.add(int(present.all(1).nonzero()[0][0]))
    assert kept == {1, 2}
    out = SingleFramePrompts(prob=0.0)(dict(obj_masks=masks.copy()))
    assert (out['obj_masks'] == masks).all()
    assert repr(SingleFramePrompts()) == 'SingleFramePrompts(prob=0.5)'


def test_inst_it_errors(tmp_path, rle_encoder):
    root = write_inst_it(tmp_path, rle_encoder)
    shutil.rmtree(root / 'videos_raw')
    with pytest.raises(FileNotFoundError, match=r'inst_it_video vid1: frame '
                       r'folder not found: .*videos_raw/ytb/vid1'):
        DATASETS.build(dict(type='InstITVideoDataset', data_root=str(root)))
    with pytest.raises(ValueError, match=r'has no .ref. form'):
        DATASETS.build(dict(type='InstITVideoDataset', data_root=str(root),
                            task='ref'))
