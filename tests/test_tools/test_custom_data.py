"""docs/custom_data.md: a tiny data set in the documented format, trained
on with the tiny custom config (LoRA from an official checkpoint)."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from PIL import Image
from tool_module import ROOT

from unipixel_mm.models.checkpoint import export_official_checkpoint
from unipixel_mm.registry import DATASETS, MODELS

CUSTOM_CFG = osp.join(ROOT, 'configs', 'unipixel_tiny_custom.py')


def write_dataset(root: str) -> None:
    """Two images with PNG masks (<seg>), a frame folder with RLE masks
    (<seg>) and an image with a <ref> question."""
    from pycocotools import mask as mask_utils
    rng = np.random.default_rng(0)
    os.makedirs(osp.join(root, 'images'))
    os.makedirs(osp.join(root, 'masks'))
    os.makedirs(osp.join(root, 'frames', 'clip'))
    lines = []
    for i in range(3):
        image = rng.integers(0, 255, (64, 80, 3), dtype=np.uint8)
        mask = np.zeros((64, 80), dtype=np.uint8)
        mask[10 + 5 * i:40, 20:60] = 255
        Image.fromarray(image).save(osp.join(root, 'images', f'{i}.jpg'))
        Image.fromarray(mask).save(osp.join(root, 'masks', f'{i}.png'))
        conversation = dict(question='Where is the box?',
                            answer='It is <seg>.') if i < 2 else dict(
                                question='What is <ref>?', answer='A box.')
        lines.append(
            dict(
                image=f'images/{i}.jpg',
                objects=[dict(id='box', masks=[f'masks/{i}.png'])],
                conversations=[conversation]))
    rles = []
    for t in range(2):
        frame = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
        Image.fromarray(frame).save(
            osp.join(root, 'frames', 'clip', f'{t:05d}.jpg'))
        mask = np.zeros((64, 64), dtype=np.uint8, order='F')
        mask[8 * t:30, 10:50] = 1
        rle = mask_utils.encode(mask)
        rles.append(dict(size=rle['size'], counts=rle['counts'].decode()))
    lines.append(
        dict(
            video='frames/clip',
            objects=[dict(masks=rles), dict(masks=[None, rles[1]])],
            conversations=[
                dict(question='Find the boxes.', answer='<seg> and <seg>.')
            ]))
    with open(osp.join(root, 'train.jsonl'), 'w') as f:
        f.write('\n'.join(json.dumps(line) for line in lines) + '\n')


def test_custom_dataset_reads_the_format(tmp_path):
    write_dataset(str(tmp_path))
    dataset = DATASETS.build(
        dict(
            type='CustomPixelDataset',
            data_root=str(tmp_path),
            ann_file='train.jsonl',
            pipeline=[dict(type='LoadFrames'),
                      dict(type='LoadObjectMasks')]))
    assert len(dataset) == 4
    assert [dataset[i]['task'] for i in range(4)] == [
        'seg', 'seg', 'ref', 'seg'
    ]
    image = dataset[0]
    assert image['turns'][0]['answer'] == 'It is <|seg|>.'
    assert image['turns'][0]['obj_inds'] == [0]
    video = dataset[3]
    assert video['turns'][0]['obj_inds'] == [0, 1]
    assert dataset.get_data_info(2)['turns'][0]['question'] == \
        'What is <|ref|>?'

    bad = tmp_path / 'bad.jsonl'
    bad.write_text(
        json.dumps(
            dict(
                image='images/0.jpg',
                objects=[],
                conversations=[dict(question='?', answer='<seg>')])))
    with pytest.raises(ValueError, match='bad.jsonl:1: 1 placeholder'):
        DATASETS.build(
            dict(
                type='CustomPixelDataset',
                data_root=str(tmp_path),
                ann_file='bad.jsonl'))


def build_custom(root: str, lines, pipeline=()):
    with open(osp.join(root, 'bad.jsonl'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return DATASETS.build(
        dict(
            type='CustomPixelDataset',
            data_root=root,
            ann_file='bad.jsonl',
            pipeline=list(pipeline)))


@pytest.mark.parametrize('line,message', [
    ('{"image": "images/0.jpg", "objects": [', r'bad.jsonl:2: not a JSON '
     r'object \(Expecting value at column 39\)$'),
    ('[1, 2]', r'bad.jsonl:2: not a JSON object$'),
    ('{"image": "images/0.jpg", "objects": [{"id": "a"}], '
     '"conversations": [{"question": "q", "answer": "<seg>"}]}',
     r"bad.jsonl:2: missing field 'masks'"),
    ('{"image": "images/0.jpg", "objects": [], "conversations": '
     '[{"answer": "a"}]}', r"bad.jsonl:2: missing field 'question'"),
])
def test_bad_lines_are_named_by_file_line_and_field(tmp_path, line, message):
    write_dataset(str(tmp_path))
    good = json.dumps(
        dict(
            image='images/0.jpg',
            objects=[],
            conversations=[dict(question='q', answer='a')]))
    with pytest.raises(ValueError, match=message):
        build_custom(str(tmp_path), [good, line])


def test_an_rle_of_another_size_than_its_frame_is_refused(tmp_path):
    from pycocotools import mask as mask_utils
    write_dataset(str(tmp_path))
    rle = mask_utils.encode(np.ones((32, 48), dtype=np.uint8, order='F'))
    line = json.dumps(
        dict(
            image='images/0.jpg',  # 64 x 80
            objects=[
                dict(masks=[dict(size=rle['size'],
                                 counts=rle['counts'].decode())])
            ],
            conversations=[dict(question='q', answer='<seg>')]))
    dataset = build_custom(
        str(tmp_path), [line],
        [dict(type='LoadFrames'),
         dict(type='LoadObjectMasks')])
    with pytest.raises(
            ValueError,
            match=r'bad.jsonl:1.*object 0, frame 0.*a mask of size 32x48 '
            'on a frame of 64x80'):
        dataset[0]


def test_guide_steps_fine_tune_the_tiny_model(tmp_path, tiny_model, tiny_cfg,
                                              processor_options, run_tool):
    # step 1: the data set; step 2: a checkpoint in the official format
    write_dataset(str(tmp_path / 'data' / 'my_data'))
    export_official_checkpoint(tiny_model,
                               str(tmp_path / 'checkpoints' / 'unipixel_tiny'))
    # step 3: train (a few iterations, the test's tiny processor)
    processor = [
        o for o in processor_options if o.startswith('train_dataloader')
    ]
    out = run_tool(
        'train', [
            CUSTOM_CFG, '--work-dir', 'work', '--cfg-options',
            'train_cfg.max_iters=4', 'default_hooks.checkpoint.interval=4',
            'default_hooks.logger.interval=1',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False', *processor
        ],
        cwd=str(tmp_path))
    assert 'Loaded the official checkpoint checkpoints/unipixel_tiny' in out
    checkpoint = torch.load(
        str(tmp_path / 'work' / 'iter_4.pth'), weights_only=False)
    saved = set(checkpoint['state_dict'])
    assert any('.lora_A.' in k for k in saved)
    assert not any(k.startswith(('mask_decoder', 'vision_tokenizer'))
                   for k in saved)
    assert 'optimizer' in checkpoint
    # step 4: the result loads over the checkpoint it started from
    model = MODELS.build(
        dict(
            tiny_cfg,
            partial_checkpoints=[
                str(tmp_path / 'checkpoints' / 'unipixel_tiny'),
                str(tmp_path / 'work' / 'iter_4.pth')
            ],
            train_cfg=dict(lora=dict(r=8, alpha=16, target='qkvo_llm'))))
    model.init_weights()
    state = model.state_dict()
    assert all(torch.equal(state[k], v)
               for k, v in checkpoint['state_dict'].items())
