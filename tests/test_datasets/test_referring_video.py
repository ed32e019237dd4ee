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


def _encode(mask):
    rle = mask_utils.encode(np.asfortranarray(mask, dtype=np.uint8))
    rle['counts'] = rle['counts'].decode()
    return rle


def _box(top, left, size=(40, 48)):
    mask = np.zeros(size, dtype=bool)
    mask[top:top + 10, left:left + 12] = True
    return mask


def _rle(top, left, size=(40, 48)):
    return _encode(_box(top, left, size))


def foreground_of(masks, anno_ids, size=(40, 48)):
    """The ReVOS foreground entry of a video: per frame the RLE of the union
    of its objects (an RLE also where the frame has none)."""
    frames = []
    for entries in zip(*(masks[a] for a in anno_ids)):
        union = np.zeros(size, dtype=bool)
        for entry in entries:
            if entry is not None:
                union |= mask_utils.decode(entry).astype(bool)
        frames.append(_encode(union))
    return dict(masks_rle=frames)


def write_videos(root, frame_root, frames=('00000', '00005', '00010',
                                           '00015')):
    """Two videos and their expressions in the MeViS / ReVOS format, with
    the ReVOS foreground masks."""
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
    foreground = {
        'vidA': foreground_of(masks, ['7', '8']),
        'TAO/vidB': foreground_of(masks, ['9'])
    }
    with open(root / 'mask_dict_foreground.json', 'w') as f:
        json.dump(foreground, f)
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


@pytest.mark.parametrize('edit,message', [
    (lambda meta: meta.clear(), r'meta_expressions.json: no "videos" dict'),
    (lambda meta: meta['videos']['vidA'].update(frames=[]),
     r'meta_expressions.json: video vidA has no "frames"'),
    (lambda meta: meta['videos']['TAO/vidB'].pop('expressions'),
     r'meta_expressions.json: video TAO/vidB has no "expressions"'),
    # another benchmark's layout: Ref-YouTube-VOS expressions (no anno_id)
    (lambda meta: [e.pop('anno_id') for e in meta['videos']['vidA']
                   ['expressions'].values()],
     r"meta_expressions.json: revos vidA expression 0: missing or "
     r"malformed field 'anno_id'"),
    (lambda meta: meta['videos']['vidA']['expressions']['0'].update(
        exp=None), r"meta_expressions.json: revos vidA expression 0: "
     r"missing or malformed field 'NoneType' object has no attribute"),
])
def test_empty_annotations_name_file_video_and_field(
        tmp_path, pipeline_factory, edit, message):
    write_videos(tmp_path, tmp_path / 'JPEGImages')
    path = tmp_path / 'meta_expressions.json'
    meta = json.loads(path.read_text())
    edit(meta)
    path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=message):
        DATASETS.build(
            dict(
                type='ReVOSDataset',
                data_root=str(tmp_path),
                ann_file='meta_expressions.json',
                mask_file='mask_dict.json',
                pipeline=pipeline_factory()))


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


def test_evaluation_asks_the_reference_evaluation_questions(
        tmp_path, pipeline_factory):
    from unipixel_mm.datasets.templates import (SEG_SENTENCE_PROMPTS,
                                                SEG_VIDEO_QUERY_PROMPTS)
    write_videos(tmp_path, tmp_path)
    cfg = dict(type='ReVOSDataset', data_root=str(tmp_path),
               ann_file='meta_expressions.json', skip_empty=False,
               pipeline=pipeline_factory(num_frames=2))
    dataset = DATASETS.build(dict(cfg, test_mode=True))
    questions = [dataset.get_data_info(i)['turns'][0]['question']
                 for i in (0, 1, 3)]
    # one instruction per turn type, as the reference's infer_seg.py asks
    assert questions == [
        'Please segment the cat jumping in this video.',
        'Which animals move? Please provide the segmentation mask.',
        'Please segment the car in this video.'
    ]
    # training samples draw from the training templates
    train = DATASETS.build(dict(cfg, skip_empty=True))
    turn = train.get_data_info(0)['turns'][0]
    assert any(turn['question'] == t.format('cat jumping')
               for t in SEG_VIDEO_QUERY_PROMPTS)
    turn = train.get_data_info(1)['turns'][0]
    assert any(turn['question'] == t.format('Which animals move?')
               for t in SEG_SENTENCE_PROMPTS)
    assert '<|seg|>' in turn['answer']
    # a validation set that keeps its answers may ask as the evaluation
    turn = DATASETS.build(dict(cfg, eval_prompts=True)).get_data_info(
        0)['turns'][0]
    assert turn['question'] == 'Please segment the cat jumping in this video.'
    assert '<|seg|>' in turn['answer']


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


def revos_with_foreground(root, pipeline,
                          foreground_file='mask_dict_foreground.json'):
    return DATASETS.build(
        dict(
            type='ReVOSDataset',
            data_root=str(root),
            ann_file='meta_expressions.json',
            foreground_file=foreground_file,
            skip_empty=False,
            test_mode=True,
            pipeline=pipeline))


def test_revos_foreground_masks_give_robustness(tmp_path, pipeline_factory):
    from unipixel_mm.registry import METRICS
    write_videos(tmp_path, tmp_path)
    dataset = revos_with_foreground(tmp_path,
                                    pipeline_factory(keep_ori_masks=True))
    sample = dataset[0]['data_samples']  # vidA "The cat jumping." (anno 7)
    fg = sample.gt_foreground_masks
    # per-pixel channel counts (one channel per frame here)
    assert fg.shape == (4, 40, 48) and fg.dtype == torch.uint8
    # vidA's objects 7 and 8, one 10 x 12 box per frame: 7 on frames 0, 2,
    # 3; 8 alone on frame 1, where the expression's target is absent
    assert fg.flatten(1).sum(1).tolist() == [120, 120, 120, 120]
    assert fg[1, 20:30, 30:42].all() and fg[2, 5:15, 5:17].all()
    gt = sample.gt_masks_ori[:, 0]
    assert not gt[1].any() and torch.equal(fg[[0, 2, 3]].bool(),
                                           gt[[0, 2, 3]])

    metric = METRICS.build(
        dict(type='VideoSegMetric', split_key='split', average_splits=True))
    # the target exactly: R = 1 on every frame; all objects: frame 1 has 120
    # false positives, 1 - 255 * 120 / 120 < 0 -> 0, R = 3 / 4
    for pred in (gt, fg.bool()):
        packed = sample.clone()
        packed.pred_masks = [pred]
        metric.process(None, [packed.to_dict()])
    assert metric.evaluate(2)['vos/R'] == pytest.approx(87.5)


def test_revos_foreground_sums_overlapping_channels(
        tmp_path, pipeline_factory):
    """eval_revos.py sums the stacked foreground channels: two 10 x 12
    boxes overlapping in 5 x 7 pixels cover 120 + 120 = 240 (not 205)."""
    from unipixel_mm.registry import METRICS
    write_videos(tmp_path, tmp_path)
    with open(tmp_path / 'mask_dict_foreground.json') as f:
        foreground = json.load(f)
    # vidA frame 0: its target (7, box at (0, 0)) and a box at (5, 5)
    foreground['vidA']['masks_rle'][0] = [_rle(0, 0), _rle(5, 5)]
    with open(tmp_path / 'mask_dict_foreground.json', 'w') as f:
        json.dump(foreground, f)
    dataset = revos_with_foreground(tmp_path,
                                    pipeline_factory(keep_ori_masks=True))
    sample = dataset[0]['data_samples']  # vidA "The cat jumping." (anno 7)
    fg = sample.gt_foreground_masks
    assert fg[0].sum().item() == 240 and fg[0].max().item() == 2
    assert fg[0, 5:10, 5:12].eq(2).all()
    # one false-positive pixel on frame 0 (the other frames exact), with a
    # weight of 1: R = 1 - 1 / 240 on frame 0 (the union would give 205)
    from unipixel_mm.evaluation.functional import robustness_score
    gt = sample.gt_masks_ori[:, 0].numpy()
    pred = gt.copy()
    pred[0, 39, 47] = True
    r = robustness_score(pred, gt, fg.numpy(), false_positive_weight=1)
    np.testing.assert_allclose(r, [1 - 1 / 240, 1, 1, 1], atol=1e-6)
    # and the metric: R = (0 + 1 + 1 + 1) / 4 with the 255 weight; the
    # accuracy A counts the pixels outside both masks (1920 per frame)
    metric = METRICS.build(
        dict(type='VideoSegMetric', split_key='split', average_splits=True))
    packed = sample.clone()
    packed.pred_masks = [torch.from_numpy(pred)]
    metric.process(None, [packed.to_dict()])
    scores = metric.evaluate(1)
    assert scores['vos/referring/R'] == pytest.approx(75)
    # frame 0: 1920 - 120 - 1; frame 1: no target; frames 2, 3: 120
    assert scores['vos/referring/A'] == pytest.approx(
        100 * (1799 / 1920 + 1 + 2 * 1800 / 1920) / 4)


def test_revos_other_type_ids_are_not_scored(tmp_path, pipeline_factory):
    """eval_revos.py averages type_id 0 (referring) and 1 (reasoning) only."""
    write_videos(tmp_path, tmp_path)
    with open(tmp_path / 'meta_expressions.json') as f:
        meta = json.load(f)
    exps = meta['videos']['vidA']['expressions']
    for qid, type_id in (('0', 0), ('1', 1), ('2', 2)):
        exps[qid]['type_id'] = type_id
    with open(tmp_path / 'meta_expressions.json', 'w') as f:
        json.dump(meta, f)
    dataset = revos_with_foreground(tmp_path, [])
    splits = [dataset.get_data_info(i)['split'] for i in range(3)]
    assert splits == ['referring', 'reasoning', None]


def test_revos_foreground_optional_and_cropped(tmp_path, pipeline_factory):
    write_videos(tmp_path, tmp_path)
    for name in (None, 'missing.json'):
        dataset = revos_with_foreground(
            tmp_path,
            pipeline_factory(keep_ori_masks=True),
            foreground_file=name)
        assert 'foreground' not in dataset.get_data_info(0)
        assert 'gt_foreground_masks' not in dataset[0]['data_samples']
    # training crops TAO videos to frames 1-2: their foreground entries too
    dataset = DATASETS.build(
        dict(
            type='ReVOSDataset',
            data_root=str(tmp_path),
            ann_file='meta_expressions.json',
            foreground_file='mask_dict_foreground.json',
            pipeline=pipeline_factory(keep_ori_masks=True)))
    with open(tmp_path / 'mask_dict_foreground.json') as f:
        foreground = json.load(f)
    tao = dataset.get_data_info(2)
    assert tao['foreground'] == foreground['TAO/vidB']['masks_rle'][1:3]
    fg = dataset[2]['data_samples'].gt_foreground_masks
    assert fg.flatten(1).sum(1).tolist() == [120, 120]


def test_revos_foreground_errors_name_the_entry(tmp_path, pipeline_factory):
    write_videos(tmp_path, tmp_path)
    path = tmp_path / 'mask_dict_foreground.json'
    with open(path) as f:
        foreground = json.load(f)

    def build(fg):
        with open(path, 'w') as f:
            json.dump(fg, f)
        return revos_with_foreground(tmp_path,
                                     pipeline_factory(keep_ori_masks=True))

    with pytest.raises(
            ValueError,
            match=r'revos TAO/vidB: no "masks_rle" '
            'foreground masks in .*mask_dict_foreground.json'):
        build(dict(vidA=foreground['vidA']))
    short = dict(
        foreground, vidA=dict(masks_rle=foreground['vidA']['masks_rle'][:3]))
    with pytest.raises(
            ValueError,
            match=r'revos vidA: 3 foreground masks '
            'in .*, the video 4 frames'):
        build(short)
    wrong = json.loads(json.dumps(foreground))
    wrong['vidA']['masks_rle'][2] = _rle(0, 0, size=(20, 24))
    dataset = build(wrong)
    with pytest.raises(
            ValueError,
            match=r'revos vidA expression 0 .*: '
            r'foreground of frame 2 has size \(20, 24\), the '
            r'frame \(40, 48\)'):
        dataset[0]
    wrong['vidA']['masks_rle'][2] = 'not a mask'
    with pytest.raises(TypeError, match='foreground of frame 2'):
        build(wrong)[0]
