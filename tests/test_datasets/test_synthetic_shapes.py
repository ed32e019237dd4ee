import time

import numpy as np
import pytest
import torch

from unipixel_mm.datasets import IGNORE_INDEX, SyntheticShapesDataset
from unipixel_mm.datasets.synthetic_shapes import ATTRIBUTES
from unipixel_mm.registry import DATASETS
from unipixel_mm.text import REF_TOKEN as REF
from unipixel_mm.text import SEG_TOKEN as SEG

REF_ID, SEG_ID, MEM_ID, VIDEO = 250, 251, 252, 244


def _dataset(pipeline_factory, **kwargs):
    kwargs.setdefault('pipeline', pipeline_factory())
    return DATASETS.build(
        dict(type='SyntheticShapesDataset', num_samples=24, **kwargs))


def test_samples_are_consistent(pipeline_factory):
    dataset = _dataset(pipeline_factory)
    assert len(dataset) == 24
    tasks = set()
    for i in range(len(dataset)):
        packed = dataset[i]
        inputs, sample = packed['inputs'], packed['data_samples']
        ids, labels = inputs['input_ids'], inputs['labels']
        grid = inputs['video_grid_thw']
        task = sample.metainfo['task']
        tasks.add(task)
        num_frames = inputs['frames'].shape[0]
        assert inputs['frames'].shape == (num_frames, 3, 128, 128)
        assert inputs['frames'].dtype == torch.float32
        assert grid[0] == (num_frames + 1) // 2
        assert inputs['pixel_values_videos'].shape == (grid.prod(), 1176)
        assert (ids == VIDEO).sum() == grid.prod() // 4
        assert (ids == SEG_ID).sum() == sample.gt_masks.shape[1]
        assert (ids == REF_ID).sum() == len(sample.prompt_coords) == len(
            sample.prompt_labels) == len(sample.prompt_frames)
        assert (ids == MEM_ID).sum() == sample.prompt_masks.flatten(2).any(
            2).sum()
        assert sample.prompt_masks.shape[0] == grid[0]
        assert sample.prompt_masks.shape[2:] == (grid[1] // 2, grid[2] // 2)
        assert sample.gt_masks.shape[0] == num_frames
        assert sample.gt_obj_to_frame.shape == (*sample.gt_masks.shape[:2], 2)
        # every target is visible in every frame of a clip
        assert sample.gt_masks.flatten(2).any(2).all()
        # labels are the assistant answer(s) and the turn end only
        answer = labels != IGNORE_INDEX
        assert answer.any() and labels[-1] == 2
        assert (labels[answer] == ids[answer]).all()
        first = answer.nonzero()[0, 0]
        assert not answer[:first].any() and (ids[:first] == VIDEO).any()
        # no seg tokens outside the answer, ref / mem tokens only before it
        assert not ((ids == SEG_ID) & ~answer).any()
        assert not (((ids == REF_ID) | (ids == MEM_ID)) & answer).any()
        for coords, frame in zip(sample.prompt_coords, sample.prompt_frames):
            assert coords.shape[1] == 2 and coords.min() >= 0
            assert coords.max() <= 127 and 0 <= frame < num_frames
        expected = dict(seg=(0, 0), ref=(1, 0), mem=(1, 1), region=(0, 0))
        has_ref, has_seg = expected[task]
        assert bool(len(sample.prompt_coords)) == bool(has_ref)
        assert bool(sample.gt_masks.shape[1]) == bool(has_seg or task == 'seg')
        if task == 'region':
            assert sample.prompt_masks.shape[1] >= 1
    assert tasks == {'seg', 'ref', 'mem', 'region'}


def test_samples_are_deterministic(pipeline_factory):
    a = _dataset(pipeline_factory, pipeline=[])
    b = _dataset(pipeline_factory, pipeline=[])
    for i in (0, 5, 11):
        x, y = a[i], b[i]
        assert np.array_equal(x['frames'], y['frames'])
        for ox, oy in zip(x['objects'], y['objects']):
            assert all(np.array_equal(m, n)
                       for m, n in zip(ox['masks'], oy['masks']))
        assert x['prompt_type'] == y['prompt_type']
    other = _dataset(pipeline_factory, pipeline=[], seed=1)
    assert not np.array_equal(a[0]['frames'], other[0]['frames']) or \
        a[0]['frames'].shape != other[0]['frames'].shape


def test_clip_contents(pipeline_factory):
    info = _dataset(pipeline_factory, pipeline=[], max_frames=1,
                    tasks=('ref', ))[3]
    frames = info['frames']
    assert frames.shape[0] == 1 and 56 <= frames.shape[1] <= 112
    for obj in info['objects']:
        mask = obj['masks'][0]
        colour = frames[0][mask].mean(0)
        expected = {'red': (220, 40, 40), 'green': (40, 190, 60),
                    'blue': (50, 80, 230), 'yellow': (230, 210, 40)}
        assert np.allclose(colour, expected[obj['colour']])
    assert info['prompt_type'] in ('point', 'box')
    assert info['seg_targets'] is False
    assert all('<|ref|>' in t['question'] for t in info['turns'])


def test_test_mode_leaves_the_answer_out(pipeline_factory):
    dataset = _dataset(
        pipeline_factory,
        pipeline=pipeline_factory(keep_ori_masks=True),
        tasks=('region', ),
        test_mode=True)
    packed = dataset[0]
    sample = packed['data_samples']
    assert sample.gt_answer in ('red', 'green', 'blue', 'yellow') or \
        ' and ' in sample.gt_answer
    assert (packed['inputs']['labels'] == IGNORE_INDEX).all()
    assert packed['inputs']['input_ids'][-1] != 2


def test_is_fast(pipeline_factory):
    dataset = _dataset(pipeline_factory)
    dataset[0]
    # CPU time, not wall time: about 5 ms a sample, generous bound
    start = time.process_time()
    for i in range(len(dataset)):
        dataset[i]
    assert (time.process_time() - start) / len(dataset) < 0.25


def test_bad_arguments():
    with pytest.raises(ValueError, match='unknown tasks'):
        SyntheticShapesDataset(tasks=('seg', 'nope'), pipeline=[])
    with pytest.raises(ValueError, match='unknown task'):
        SyntheticShapesDataset(task='nope', pipeline=[])
    with pytest.raises(ValueError, match='max_objects'):
        SyntheticShapesDataset(max_objects=13, pipeline=[])
    with pytest.raises(ValueError, match=r"unknown unique .*'size'"):
        SyntheticShapesDataset(unique=('colour', 'size'), pipeline=[])
    # three shapes: no four objects of distinct shapes
    with pytest.raises(ValueError, match=r'\[1, 3\] with unique'):
        SyntheticShapesDataset(
            max_objects=4, unique=('shape', ), pipeline=[])


def test_batch_trains_the_tiny_model(pipeline_factory, model_factory):
    from unipixel_mm.datasets import unipixel_collate
    dataset = _dataset(pipeline_factory, tasks=('seg', 'mem'))
    model = model_factory().train()
    batch = unipixel_collate([dataset[i] for i in range(2)])
    data = model.data_preprocessor(batch, training=True)
    losses = model(**data, mode='loss')
    assert losses and all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()


def test_min_objects(pipeline_factory):
    dataset = _dataset(pipeline_factory, pipeline=[], min_objects=2,
                       max_objects=3)
    counts = {len(dataset[i]['objects']) for i in range(len(dataset))}
    assert counts == {2, 3}
    with pytest.raises(ValueError, match='min_objects'):
        SyntheticShapesDataset(min_objects=3, max_objects=2, pipeline=[])


def test_sample_per_object_names_each_shape(pipeline_factory,
                                            tiny_processor):
    kwargs = dict(
        num_samples=6, min_objects=2, max_objects=3, max_frames=2,
        tasks=('seg', ), sample_per_object=True)
    raw = DATASETS.build(
        dict(type='SyntheticShapesDataset', pipeline=[], **kwargs))
    packed = DATASETS.build(
        dict(type='SyntheticShapesDataset',
             pipeline=pipeline_factory(keep_ori_masks=True), **kwargs))
    assert len(raw) == len(packed) > 12
    clips = {}
    for i in range(len(raw)):
        info, sample = raw[i], packed[i]
        clips.setdefault(info['video_id'], []).append((info, sample))
        assert sample['data_samples'].video_id == info['video_id']
    assert sorted(clips, key=int) == [str(c) for c in range(6)]
    tokenizer = tiny_processor.tokenizer
    for clip in clips.values():
        infos = [info for info, _ in clip]
        objects = infos[0]['objects']
        assert len(clip) == len(objects) in (2, 3)
        names = [f"{o['colour']} {o['shape']}" for o in objects]
        # every colour and shape word is one token of its own, so that the
        # names of two shapes of a clip differ in their token ids
        name_ids = [tuple(tokenizer(f' {n}')['input_ids']) for n in names]
        assert all(len(ids) == 2 and 0 not in ids for ids in name_ids)
        assert len(set(name_ids)) == len(names)
        for o, (info, (_, sample)) in enumerate(zip(infos, clip)):
            # the same frames, one turn naming the o-th shape
            assert np.array_equal(info['frames'], infos[0]['frames'])
            assert len(info['turns']) == 1
            assert names[o] in info['turns'][0]['question']
            gt = sample['data_samples'].gt_masks_ori
            assert gt.shape[1] == 1
            expected = np.stack(objects[o]['masks'])
            assert np.array_equal(gt[:, 0].numpy(), expected)
            ids = sample['inputs']['input_ids'].tolist()
            assert all(_contains(ids, name_ids[k]) == (k == o)
                       for k in range(len(names)))


def _contains(ids, part):
    return any(
        tuple(ids[i:i + len(part)]) == part for i in range(len(ids)))


@pytest.mark.parametrize('unique', [('colour', ), ('shape', ),
                                    ('colour', 'shape')])
def test_unique_attributes(unique):
    dataset = SyntheticShapesDataset(
        num_samples=40, min_objects=2, max_objects=3, unique=unique,
        tasks=('seg', ), pipeline=[])
    shared = dict(colour=0, shape=0)
    for i in range(len(dataset)):
        objects = dataset[i]['objects']
        assert len({(o['colour'], o['shape']) for o in objects}) == len(
            objects)
        for attr in shared:
            values = [o[attr] for o in objects]
            if attr in unique:
                assert len(set(values)) == len(values)
            shared[attr] += len(set(values)) < len(values)
    # the attributes not listed are still drawn with repeats
    for attr, count in shared.items():
        assert (count > 0) == (attr not in unique), attr


def test_name_in_answer(pipeline_factory, tiny_processor):
    kwargs = dict(
        num_samples=4, min_objects=2, max_objects=3, tasks=('seg', ),
        sample_per_object=True, name_in_answer=True)
    raw = SyntheticShapesDataset(pipeline=[], **kwargs)
    packed = DATASETS.build(
        dict(type='SyntheticShapesDataset', pipeline=pipeline_factory(),
             **kwargs))
    tokenizer = tiny_processor.tokenizer
    for i in range(len(raw)):
        info = raw[i]
        (turn, ), objects = info['turns'], info['objects']
        obj = objects[turn['obj_inds'][0]]
        name = f"{obj['colour']} {obj['shape']}"
        # the reference's question-and-answer segmentation turn
        assert turn['question'].startswith(f'Where is the {name}? ')
        assert turn['answer'] == f'The {name} <|seg|>.'
        inputs = packed[i]['inputs']
        answer = inputs['labels'] != IGNORE_INDEX
        assert tokenizer.decode(inputs['input_ids'][answer]) == \
            f'The {name} <|seg|>.<|im_end|>'


@pytest.mark.parametrize('task', ['ref', 'mem'])
def test_prompted_forms_do_not_name_the_object(task):
    dataset = SyntheticShapesDataset(
        num_samples=12, min_objects=2, max_objects=3, tasks=(task, ),
        pipeline=[])
    names = set(ATTRIBUTES['colour']) | set(ATTRIBUTES['shape'])
    asked = set()
    for i in range(len(dataset)):
        info = dataset[i]
        objects = info['objects']
        for turn in info['turns']:
            # only the point or box tells which shape is meant
            words = set(turn['question'].replace('?', ' ').split())
            assert not words & names, turn['question']
            assert turn['question'].count(REF) == len(turn['obj_inds'])
            if len(turn['obj_inds']) > 1:
                continue
            obj = objects[turn['obj_inds'][0]]
            attr = 'colour' if 'What colour is' in turn['question'] \
                else 'shape'
            asked.add(attr)
            if task == 'ref':
                assert turn['answer'] == obj[attr]
            else:
                # PixelQA's first pass: segment it by id
                assert f"What {attr} is [{obj['oid']}] {REF}?" in \
                    turn['question']
                assert turn['answer'] == f"[{obj['oid']}] {SEG}"
    assert asked == {'colour', 'shape'}
