"""LV-VIS, Ref-YouTube-VOS, Ref-DAVIS17, Ref-SAV, GroundMoRe and ViCaS."""
import json
import os.path as osp
import pickle

import numpy as np
import pytest
from PIL import Image

from unipixel_mm.datasets.templates import (SEG_DESCRIPTION_PROMPTS,
                                            SEG_QUESTION_PROMPTS,
                                            SEG_SENTENCE_PROMPTS,
                                            SEG_VIDEO_QUERY_PROMPTS)
from unipixel_mm.registry import DATASETS

pytest.importorskip('pycocotools')
SIZE = (40, 48)


def _box(top, left, h=10, w=12):
    mask = np.zeros(SIZE, bool)
    mask[top:top + h, left:left + w] = True
    return mask


def write_frames(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        Image.fromarray(np.full((*SIZE, 3), 30 * i, np.uint8)).save(
            folder / name)


def write_meta(path, videos):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(videos=videos), f)


def test_lvvis_reads_class_names(tmp_path, config_dataset_factory,
                                 pipeline_factory, rle_encoder, train_step):
    frames = ['00000', '00001', '00002']
    write_frames(tmp_path / 'train' / 'JPEGImages' / 'v1',
                 [f'{n}.jpg' for n in frames])
    write_meta(tmp_path / 'meta_expressions.json', {'v1': dict(
        frames=frames, expressions={
            '0': dict(exp='traffic_light', obj_id=[4], anno_id=[40]),
            '1': dict(exp='cat', obj_id=[], anno_id=[])})})
    with open(tmp_path / 'mask_dict.json', 'w') as f:
        json.dump({'40': [rle_encoder(_box(0, 0)), None,
                          rle_encoder(_box(5, 5))]}, f)
    dataset = config_dataset_factory(
        'lvvis', data_root=str(tmp_path),
        pipeline=pipeline_factory(keep_ori_masks=True))
    assert len(dataset) == 1
    info = dataset.get_data_info(0)
    assert info['entry'] == 'lvvis v1 expression 0'
    assert info['turns'][0]['question'] in [
        p.format('traffic light') for p in SEG_VIDEO_QUERY_PROMPTS]
    packed = dataset[0]
    assert packed['data_samples'].gt_masks_ori.flatten(1).sum(1).tolist() \
        == [120, 0, 120]
    train_step([packed])


def write_ytvos(root, meta_file, mask_file, frame_dir):
    frames = ['00000', '00005']
    for vid in ('va', 'vb'):
        write_frames(root / frame_dir / vid, [f'{n}.jpg' for n in frames])
    write_meta(root / meta_file, {
        'va': dict(frames=frames, expressions={
            '0': dict(exp='a dog running', obj_id='1'),
            '1': dict(exp='a brown dog', obj_id='1')}),
        'vb': dict(frames=frames, expressions={
            '0': dict(exp='the ball', obj_id='2')}),
    })
    rles = [
        [None, _box(20, 20)], [_box(0, 0), _box(0, 0)], [None, None]]
    from pycocotools import mask as mask_utils
    masks = {
        str(i): [None if m is None else mask_utils.encode(
            np.asfortranarray(m.astype(np.uint8))) for m in ms]
        for i, ms in enumerate(rles)
    }
    (root / mask_file).parent.mkdir(parents=True, exist_ok=True)
    with open(root / mask_file, 'wb') as f:
        pickle.dump(masks, f)
    return root


def test_ref_youtube_vos_and_davis_key_masks_by_expression(
        tmp_path, config_dataset_factory, pipeline_factory, train_step):
    root = write_ytvos(tmp_path / 'ytvos',
                       'meta_expressions/train/meta_expressions.json',
                       'mask_dict.pkl', 'train/JPEGImages')
    dataset = config_dataset_factory(
        'ref_youtube_vos', data_root=str(root),
        pipeline=pipeline_factory(keep_ori_masks=True))
    assert len(dataset) == 3
    assert dataset.get_data_info(2)['entry'] == \
        'ref_youtube_vos vb expression 0'
    # the second expression of the file has the second mask entry
    ori = dataset[1]['data_samples'].gt_masks_ori
    assert ori[:, 0, 0:10, 0:12].all() and ori.sum() == 240
    train_step([dataset[0], dataset[1]])

    root = write_ytvos(tmp_path / 'davis',
                       'meta_expressions/train/meta_expressions.json',
                       'train/mask_dict.pkl', 'DAVIS/JPEGImages/480p')
    dataset = DATASETS.build(
        dict(type='RefDAVIS17Dataset', data_root=str(root),
             pipeline=pipeline_factory()))
    # an expression with no mask on any frame is kept, as the reference
    # keeps them: its target is empty (logged)
    assert dataset[2]['data_samples'].gt_masks.sum() == 0
    with open(root / 'train' / 'mask_dict.pkl', 'rb') as f:
        masks = pickle.load(f)
    del masks['2']
    with open(root / 'train' / 'mask_dict.pkl', 'wb') as f:
        pickle.dump(masks, f)
    with pytest.raises(ValueError, match=r'ref_davis17: .*mask_dict.pkl has '
                       r'2 entries, .*meta_expressions.json 3 expressions'):
        DATASETS.build(dict(type='RefDAVIS17Dataset', data_root=str(root)))


def test_ref_davis17_evaluation_keys_masks_in_sorted_order(tmp_path):
    """eval_seg.py's get_meta_exp numbers the expressions over the sorted
    videos and sorted (string) expression ids; the file lists vb before va
    and va's expressions as '1', '0'."""
    root = tmp_path / 'davis'
    frames = ['00000', '00005']
    write_meta(root / 'meta_expressions/valid/meta_expressions.json', {
        'vb': dict(frames=frames, expressions={
            '0': dict(exp='the ball', obj_id='2')}),
        'va': dict(frames=frames, expressions={
            '1': dict(exp='a brown dog', obj_id='1'),
            '0': dict(exp='a dog running', obj_id='1')}),
    })
    (root / 'valid').mkdir(parents=True)
    with open(root / 'valid' / 'mask_dict.pkl', 'wb') as f:
        pickle.dump({str(i): [None, None] for i in range(3)}, f)

    def keys(**kwargs):
        dataset = DATASETS.build(
            dict(type='RefDAVIS17Dataset', data_root=str(root),
                 ann_file='meta_expressions/valid/meta_expressions.json',
                 mask_file='valid/mask_dict.pkl', pipeline=[], **kwargs))
        return [(dataset.get_data_info(i)['entry'].split()[1],
                 dataset.get_data_info(i)['anno_ids']) for i in range(3)]

    # sorted: (va, 0) -> 0, (va, 1) -> 1, (vb, 0) -> 2
    assert keys(test_mode=True) == [('vb', ['2']), ('va', ['1']),
                                    ('va', ['0'])]
    # training (and sorted_eval_index=False): the file order
    assert keys() == [('vb', ['0']), ('va', ['1']), ('va', ['2'])]
    assert keys(test_mode=True, sorted_eval_index=False) == keys()


def test_ref_sav_reads_masklets_of_every_4th_frame(
        tmp_path, config_dataset_factory, pipeline_factory, video_writer,
        rle_encoder, train_step):
    sav = tmp_path / 'sav' / 'sav_train' / 'sav_000'
    sav.mkdir(parents=True)
    video = np.zeros((10, *SIZE, 3), np.uint8)
    for t in range(10):
        video[t] = 20 * t
    video_writer(sav / 'sav_000001.mp4', video)
    # annotated frames 0, 4, 8: object 0 moves, object 1 is still
    masklet = [[rle_encoder(_box(4 * k, 0)), rle_encoder(_box(30, 30))]
               for k in range(3)]
    with open(sav / 'sav_000001_manual.json', 'w') as f:
        json.dump(dict(masklet=masklet, video_id='sav_000001'), f)
    (tmp_path / 'ref_sav').mkdir()
    with open(tmp_path / 'ref_sav' / 'Ref-SAV-Min-Ratio-0.3.json', 'w') as f:
        json.dump({'sav_000001': dict(
            video_path='sav/sav_train/sav_000/sav_000001.mp4',
            anno_path='sav/sav_train/sav_000/sav_000001_manual.json',
            objects={'1': dict(video_id='sav_000001', obj_id=1,
                               formated='A still grey box. ')})}, f)
    dataset = config_dataset_factory(
        'ref_sav', data_root=str(tmp_path),
        pipeline=pipeline_factory(keep_ori_masks=True))
    info = dataset.get_data_info(0)
    assert info['entry'] == 'ref_sav sav_000001 object 1'
    assert info['turns'][0]['question'] in [
        p.format('A still grey box.') for p in SEG_DESCRIPTION_PROMPTS]
    packed = dataset[0]
    sample = packed['data_samples']
    assert sample.metainfo['frame_inds'] == [0, 1, 2]
    # video frames 0, 4, 8 (grey 0, 80, 160) with object 1's masks
    assert np.allclose(
        packed['inputs']['frames'][:, 0].mean((1, 2)).diff().numpy(),
        (80 / 255) / 0.229, atol=0.1)
    assert sample.gt_masks_ori[:, 0, 30:40, 30:42].all()
    train_step([packed])


def write_groundmore(root):
    folder = root / 'annotations' / 'vid1_0000_0001'
    write_frames(folder / 'images', [f'{i}.jpg' for i in range(6)])
    (folder / 'masks').mkdir()
    for i in (1, 4, 10):
        label = np.zeros(SIZE, np.uint8)
        label[0:10, 0:10] = 1
        label[20:30, 20:30] = 2
        label[30:40, 0:5] = 3
        Image.fromarray(label).save(folder / 'masks' / f'{i}.png')
    (folder / 'masks' / '10.png').unlink()
    # the action windows (clip vid1 starts at 00:00) cover the 6 frames
    questions = {'0': dict(question='Who is going to throw the ball',
                           answer='the boy', q_type='Causal',
                           obj_id='1, 2', action_start='00:00',
                           action_end='00:01'),
                 '1': dict(question='What falls?', answer='the cup',
                           q_type='Future', obj_id='3',
                           action_start='00:00', action_end='00:01')}
    for split in ('trainval_v2', 'test_v2'):
        write_meta(root / f'{split}.json', {
            'vid1_0000_0001': dict(questions=questions),
            'vid_missing': dict(questions=questions)})
    return root


def test_groundmore_questions(tmp_path, config_dataset_factory,
                              pipeline_factory, train_step):
    root = write_groundmore(tmp_path)
    dataset = config_dataset_factory(
        'groundmore', data_root=str(root),
        pipeline=pipeline_factory(keep_ori_masks=True))
    # vid_missing has no annotation folder (logged and skipped)
    assert len(dataset) == 2
    info = dataset.get_data_info(0)
    assert info['entry'] == 'groundmore vid1_0000_0001 question 0'
    # training: only the frames with a mask
    assert [p[-5:] for p in info['frame_paths']] == ['1.jpg', '4.jpg']
    assert info['turns'][0]['question'] in [
        p.format('Who is going to throw the ball?')
        for p in SEG_QUESTION_PROMPTS]
    assert info['turns'][0]['answer'] == 'the boy <|seg|>.'
    ori = dataset[0]['data_samples'].gt_masks_ori
    assert ori.flatten(1).sum(1).tolist() == [200, 200]
    train_step([dataset[0], dataset[1]])

    dataset = DATASETS.build(
        dict(type='GroundMoReDataset', data_root=str(root),
             ann_file='test_v2.json', test_mode=True, num_test_frames=4,
             pipeline=pipeline_factory(keep_ori_masks=True)))
    info = dataset.get_data_info(1)
    # four of the six frames; 0 and 5 have no mask file (empty)
    assert [p[-5:] for p in info['frame_paths']] == [
        '0.jpg', '1.jpg', '3.jpg', '5.jpg']
    # the frame stems reach the metric (duplicate_frames='last')
    assert dataset[1]['data_samples'].metainfo['frame_names'] == [
        osp.basename(p)[:-4] for p in info['frame_paths']]
    assert info['gt_answer'] == 'the cup <|seg|>.'
    ori = dataset[1]['data_samples'].gt_masks_ori
    assert ori.flatten(1).sum(1).tolist() == [0, 50, 0, 0]


def test_groundmore_action_window(tmp_path):
    """eval_groundmore.py: the ground truth is empty outside each question's
    [action_start, action_end], at 6 frames per second of the clip."""
    from unipixel_mm.datasets.groundmore import action_window

    # clip 00:10-00:12; the action 00:11-00:12 is clip frames 6 to 11
    assert action_window('v_0010_0012', '00:11', '00:12') == (6, 11)
    assert action_window('yt-abc_0100_0130', '1:05', '1:10') == (30, 59)
    folder = tmp_path / 'annotations' / 'v_0010_0012'
    (folder / 'images').mkdir(parents=True)
    for i in range(12):
        Image.fromarray(np.full((*SIZE, 3), 10 * i, np.uint8)).save(
            folder / 'images' / f'{i:07d}.jpg')
    (folder / 'masks').mkdir()
    label = np.zeros(SIZE, np.uint8)
    label[0:10, 0:10] = 1
    for i in (3, 7):
        Image.fromarray(label).save(folder / 'masks' / f'{i:07d}.png')
    question = dict(question='What is thrown?', answer='the ball',
                    q_type='Causal', obj_id='1', action_start='00:11',
                    action_end='00:12')
    write_meta(tmp_path / 'test_v2.json',
               {'v_0010_0012': dict(questions={'0': question})})

    def build(**kwargs):
        return DATASETS.build(
            dict(type='GroundMoReDataset', data_root=str(tmp_path),
                 ann_file='test_v2.json', test_mode=True, num_test_frames=4,
                 pipeline=[], **kwargs))

    # linspace(0, 11, 4) as int: frames 0, 3, 7, 11; the masks of 3 and 7
    # exist, only 7 lies in the action window [6, 11]
    info = build().get_data_info(0)
    assert [p[-11:] for p in info['frame_paths']] == [
        '0000000.jpg', '0000003.jpg', '0000007.jpg', '0000011.jpg']
    masks = info['objects'][0]['masks']
    assert [m is not None for m in masks] == [False, False, True, False]
    assert masks[2]['path'].endswith('0000007.png')
    # the option scores every frame's mask
    masks = build(action_window=False).get_data_info(0)['objects'][0]['masks']
    assert [m is not None for m in masks] == [False, True, True, False]
    # an annotation without the window stops with the file and the field
    del question['action_end']
    write_meta(tmp_path / 'test_v2.json',
               {'v_0010_0012': dict(questions={'0': question})})
    with pytest.raises(KeyError, match=r"action_end.*test_v2.json"):
        build()


def write_vicas(root, rle_encoder):
    write_frames(root / 'video_frames' / '000007', ['f0.jpg', 'f1.jpg'])
    ann = dict(
        filename='000007.mp4',
        segmentations=[
            dict(filename='f0.jpg', track_ids=[1, 2],
                 mask_rles=[rle_encoder(_box(0, 0)),
                            rle_encoder(_box(20, 20))]),
            dict(filename='f1.jpg', track_ids=[2, 1],
                 mask_rles=[rle_encoder(_box(25, 25)),
                            rle_encoder(_box(5, 0))]),
        ],
        object_referrals=[
            dict(prompt='The dog chasing the cat. ', track_ids=[1]),
            dict(prompt='Both animals.', track_ids=[1, 2]),
        ])
    (root / 'annotations' / 'v1.0').mkdir(parents=True)
    with open(root / 'annotations' / 'v1.0' / '000007.json', 'w') as f:
        json.dump(ann, f)
    (root / 'splits' / 'v1.0').mkdir(parents=True)
    with open(root / 'splits' / 'v1.0' / 'train.json', 'w') as f:
        json.dump([7], f)
    return root


def test_vicas_referrals(tmp_path, config_dataset_factory, pipeline_factory,
                         rle_encoder, train_step):
    root = write_vicas(tmp_path, rle_encoder)
    dataset = config_dataset_factory(
        'vicas', data_root=str(root),
        pipeline=pipeline_factory(keep_ori_masks=True))
    assert len(dataset) == 2
    info = dataset.get_data_info(1)
    assert info['entry'] == 'vicas 000007 referral 1'
    assert info['turns'][0]['question'] in [
        p.format('Both animals.') for p in SEG_SENTENCE_PROMPTS]
    # the union of both tracks, matched by track id on each frame
    ori = dataset[1]['data_samples'].gt_masks_ori
    assert ori.flatten(1).sum(1).tolist() == [240, 240]
    assert ori[1, 0, 25:35, 25:37].all() and ori[1, 0, 5:15, 0:12].all()
    train_step([dataset[0], dataset[1]])

    path = root / 'annotations' / 'v1.0' / '000007.json'
    ann = json.loads(path.read_text())
    ann['segmentations'][1]['track_ids'] = [2, 3]
    path.write_text(json.dumps(ann))
    with pytest.raises(ValueError, match=r'vicas 000007 referral 0: tracks '
                       r'\[1\] have no mask on frame 1 in .*000007.json'):
        dataset.get_data_info(0)


def test_ref_sav_eval_split(tmp_path, config_dataset_factory,
                            pipeline_factory, rle_encoder):
    write_frames(tmp_path / 'videos' / 'sav_1', ['00000.jpg', '00004.jpg'])
    write_meta(tmp_path / 'meta_expressions_valid.json', {'sav_1': dict(
        frames=['00000', '00004'], expressions={
            '0': dict(exp='A box that slides along the table.', obj_id=[1],
                      anno_id=[3])})})
    with open(tmp_path / 'mask_dict.json', 'w') as f:
        json.dump({'3': [rle_encoder(_box(0, 0)), None]}, f)
    dataset = config_dataset_factory(
        'ref_sav', split='test', data_root=str(tmp_path),
        pipeline=pipeline_factory(keep_ori_masks=True))
    info = dataset.get_data_info(0)
    assert info['entry'] == 'ref_sav_eval sav_1 expression 0'
    assert info['gt_answer'] is not None and info['turns'][0][
        'answer'] is None
    assert info['turns'][0]['question'] in [
        p.format('A box that slides along the table.')
        for p in SEG_DESCRIPTION_PROMPTS]
    ori = dataset[0]['data_samples'].gt_masks_ori
    assert ori.flatten(1).sum(1).tolist() == [120, 0]
