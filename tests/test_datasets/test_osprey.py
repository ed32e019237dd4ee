"""Osprey conversations, positive / negative questions and descriptions."""
import json

import numpy as np
import pytest
from PIL import Image

from unipixel_mm.datasets.templates import REG_DETAILED_PROMPTS
from unipixel_mm.registry import DATASETS

pytest.importorskip('pycocotools')


def write_osprey(root):
    (root / 'coco' / 'train2014').mkdir(parents=True)
    Image.fromarray(np.full((30, 40, 3), 70, np.uint8)).save(
        root / 'coco' / 'train2014' / 'COCO_1.jpg')
    base = dict(file_name='COCO_1.jpg', height=30, width=40, annotation=[
        dict(segmentation=[[0, 0, 10, 0, 10, 10, 0, 10]]),
        dict(segmentation=[[20, 10, 30, 10, 30, 20, 20, 20]])])
    conversations = [
        dict(base, id=1, conversations=[
            dict(**{'from': 'human'}, value='What is <region2]?'),
            dict(**{'from': 'gpt'}, value='A plate.'),
            dict(**{'from': 'human'},
                 value='Is <region 1> next to <region2>?'),
            dict(**{'from': 'gpt'}, value='No, <region1> is far.')]),
        # a bare <region> and a region beyond the annotations: skipped
        dict(base, id=2, conversations=[
            dict(**{'from': 'human'}, value='What is <region>?'),
            dict(**{'from': 'gpt'}, value='x')]),
        dict(base, id=3, conversations=[
            dict(**{'from': 'human'}, value='What is <region3>?'),
            dict(**{'from': 'gpt'}, value='x')]),
    ]
    descriptions = [
        dict(base, id=4, description=[
            '<Region2>: A white plate with food.',
            '<regin1>: A fork.\n']),
        dict(base, id=5, description=['<region1> and <region2>: both.']),
    ]
    (root / 'Osprey-724K').mkdir()
    for name, data in (('osprey_conversation', conversations),
                       ('osprey_detail_description', descriptions)):
        with open(root / 'Osprey-724K' / f'{name}.json', 'w') as f:
            json.dump(data, f)
    return root


def test_osprey_conversation(tmp_path, config_dataset_factory,
                             pipeline_factory, tiny_processor, train_step):
    root = write_osprey(tmp_path)
    dataset = config_dataset_factory(
        'osprey_conversation', data_root=str(root),
        pipeline=pipeline_factory(max_turns=-1))
    # entries 2 and 3 are malformed (logged)
    assert len(dataset) == 1
    info = dataset.get_data_info(0)
    assert info['entry'] == 'osprey osprey_conversation 1'
    assert [(t['question'], t['answer']) for t in info['turns']] == [
        ('What is [2]?', 'A plate.'),
        ('Is [1] next to [2]?', 'No, [1] is far.')]
    # objects in the order of first mention
    assert [o['oid'] for o in info['objects']] == ['2', '1']
    packed = dataset[0]
    text = tiny_processor.tokenizer.decode(packed['inputs']['input_ids'])
    assert ('<|vision_end|>Here is an image with the following highlighted '
            'regions:\n[2]: <|mem|>\n[1]: <|mem|>\nWhat is [2]?<|im_end|>'
            ) in text
    train_step([packed])


def test_osprey_descriptions(tmp_path, config_dataset_factory,
                             pipeline_factory, train_step):
    root = write_osprey(tmp_path)
    dataset = config_dataset_factory(
        'osprey_detail_description', data_root=str(root),
        pipeline=pipeline_factory(max_turns=-1))
    assert len(dataset) == 1
    turns = dataset.get_data_info(0)['turns']
    assert turns[0]['question'] in [p.format('[2]')
                                    for p in REG_DETAILED_PROMPTS]
    answers = [t['answer'] for t in turns]
    assert answers == ['A white plate with food.', 'A fork.']
    train_step([dataset[0]])
    with pytest.raises(ValueError, match='unknown Osprey kind'):
        DATASETS.build(dict(type='OspreyDataset', kind='chat'))
