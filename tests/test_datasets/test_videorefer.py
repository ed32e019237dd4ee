"""VideoRefer-700K (region / ref / mem forms) and VideoRefer-Bench."""
import json

import numpy as np
import pytest
import torch

from unipixel_mm.datasets.templates import SEG_MEMORY_PROMPTS
from unipixel_mm.registry import DATASETS

pytest.importorskip('pycocotools')
SIZE = (40, 48)


def _box(top, left):
    mask = np.zeros(SIZE, bool)
    mask[top:top + 12, left:left + 16] = True
    return mask


def write_videorefer(root, video_writer, rle_encoder):
    """A 12-frame video and two VideoRefer-700K files with their masks."""
    (root / 'videos').mkdir(parents=True)
    video = np.stack([np.full((*SIZE, 3), 20 * t, np.uint8)
                      for t in range(12)])
    video_writer(root / 'videos' / 'v1.mp4', video)
    short = [
        dict(id='s0', video='v1.mp4', ratio=1.0, annotation=[{'5': {}}],
             conversations=[
                 dict(**{'from': 'human'},
                      value='<video>\nWhat is <region> in the video?'),
                 dict(**{'from': 'gpt'}, value='A grey box.')]),
        # too few annotated frames: skipped
        dict(id='s1', video='v1.mp4', ratio=0.1, annotation=[{'5': {}}],
             conversations=[
                 dict(**{'from': 'human'}, value='<region>?\n<video>'),
                 dict(**{'from': 'gpt'}, value='x')]),
    ]
    qa = [
        dict(id='q0', video='v1.mp4', ratio=0.8,
             annotation=[{'2': {}, '6': {}}, {'6': {}, '9': {}}],
             conversations=[
                 dict(**{'from': 'human'}, value=(
                     '<video>\nThere are <object0><region> and '
                     '<object1><region> in the video.\nWhat is <object0> '
                     'doing to <object1>?')),
                 dict(**{'from': 'gpt'},
                      value='<object0> pushes <object1>.')]),
        dict(id='q1', video='v1.mp4', ratio=0.8, annotation=[{'3': {}}],
             conversations=[
                 dict(**{'from': 'human'},
                      value='<video>\nWhere does <region> go?'),
                 dict(**{'from': 'gpt'}, value='To the left.')]),
    ]
    masks_short = {0: [[[rle_encoder(_box(0, 0))]]], 1: [[[None]]]}
    masks_qa = {
        # per object, per annotated frame (2, 6, 9) of the entry
        0: [[[rle_encoder(_box(0, 0))], [rle_encoder(_box(4, 4))], [None]],
            [[None], [rle_encoder(_box(20, 20))],
             [rle_encoder(_box(24, 24))]]],
        1: [[[rle_encoder(_box(10, 10))]]],
    }
    for name, entries, folder, masks in (
            ('videorefer-short-caption-500k-wo-masks', short,
             'masks_short_caption', masks_short),
            ('videorefer-qa-75k-wo-masks', qa, 'masks_qa', masks_qa)):
        with open(root / f'{name}.json', 'w') as f:
            json.dump(entries, f)
        (root / folder).mkdir()
        for idx, m in masks.items():
            with open(root / folder / f'{idx}.json', 'w') as f:
                json.dump(m, f)
    return root


def test_videorefer_region_forms(tmp_path, config_dataset_factory,
                                 pipeline_factory, video_writer, rle_encoder,
                                 tiny_processor, train_step):
    root = write_videorefer(tmp_path, video_writer, rle_encoder)
    pipeline = pipeline_factory(num_frames=4, max_turns=-1)
    short = config_dataset_factory('videorefer_short_caption',
                                   data_root=str(root), pipeline=pipeline)
    # the low-ratio entry is skipped
    assert len(short) == 1
    info = short.get_data_info(0)
    oid = info['objects'][0]['oid']
    assert info['entry'] == ('videorefer videorefer-short-caption-500k-'
                             'wo-masks 0 (s0)')
    assert info['turns'][0]['question'] == f'What is [{oid}] in the video?'
    # the prompt frame (5) among the candidates (all 12 frames)
    assert info['required_frame'] == 5 and 'candidate_frame_inds' not in info
    packed = short[0]
    sample = packed['data_samples']
    assert 5 in sample.metainfo['frame_inds']
    assert len(sample.metainfo['frame_inds']) == 4
    # a prompt on one frame: one <|mem|> token, one temporal group
    assert (packed['inputs']['input_ids'] == 252).sum() == 1
    assert sample.prompt_masks.flatten(2).any(2).sum() == 1

    qa = config_dataset_factory('videorefer_qa', data_root=str(root),
                                pipeline=pipeline)
    info = qa.get_data_info(0)
    # the introduction line is replaced by the region prefix
    assert info['turns'][0]['question'] == 'What is [0] doing to [1]?'
    assert info['turns'][0]['answer'] == '[0] pushes [1].'
    assert [o['oid'] for o in info['objects']] == ['0', '1']
    assert info['candidate_frame_inds'] == [2, 6, 9]
    packed = qa[0]
    assert packed['data_samples'].prompt_masks.shape[1] == 2
    text = tiny_processor.tokenizer.decode(packed['inputs']['input_ids'])
    # object 0 shows on annotated frames 2 and 6 (group 1), object 1 on 6
    # and 9 (groups 1 and 2)
    assert ('<|vision_end|>Here is a video with 3 frames denoted as <1> to '
            '<3>. The highlighted regions are as follows:\n[0]: <1>-<2> '
            '<|mem|>\n[1]: <1>-<2> <|mem|> <3>-<4> <|mem|>\nWhat is [0] '
            'doing to [1]?<|im_end|>') in text
    # single-object entry with one annotated frame: single-frame prompt
    assert qa.get_data_info(1)['required_frame'] == 3
    train_step([short[0], qa[0], qa[1]])


def test_videorefer_ref_and_mem_forms(tmp_path, config_dataset_factory,
                                      pipeline_factory, video_writer,
                                      rle_encoder, train_step):
    root = write_videorefer(tmp_path, video_writer, rle_encoder)
    ref = config_dataset_factory('videorefer_short_caption_ref',
                                 data_root=str(root),
                                 pipeline=pipeline_factory(num_frames=4))
    # no ratio filter in the ref form
    assert len(ref) == 2
    info = ref.get_data_info(0)
    assert info['task'] == 'ref'
    assert info['prompt_type'] in ('point', 'box')
    assert info['turns'][0]['question'] == 'What is <|ref|> in the video?'
    packed = ref[0]
    sample = packed['data_samples']
    frame = sample.metainfo['frame_inds'][int(sample.prompt_frames[0])]
    assert frame == 5  # the prompt is drawn on the annotated frame
    assert sample.gt_masks.shape[1] == 0

    mem = config_dataset_factory('videorefer_qa_mem', data_root=str(root),
                                 pipeline=pipeline_factory(num_frames=-1))
    # the entry with one annotated frame is left out of the mem form
    assert len(mem) == 1
    info = mem.get_data_info(0)
    question = info['turns'][0]['question']
    inner = ('There are [0] <|ref|> and [1] <|ref|> in the video.\nWhat is '
             '[0] doing to [1]?\nOptions:\n({}) <object0> pushes <object1>.')
    assert any(question == p.format(inner.format(c).replace(
        '<object0>', '[0]').replace('<object1>', '[1]'))
        for p in SEG_MEMORY_PROMPTS for c in 'ABCD')
    assert info['turns'][0]['answer'] == '[0] <|seg|> [1] <|seg|>'
    packed = mem[0]
    sample = packed['data_samples']
    assert sample.gt_masks.shape == (3, 2, 128, 128)
    # object 1 is absent from the first annotated frame
    assert sample.gt_masks[:, 1].flatten(1).any(1).tolist() == [
        False, True, True]
    train_step([ref[0], packed])


def write_bench(root, video_writer, rle_encoder):
    (root / 'videos' / 'Panda-70M-part').mkdir(parents=True)
    video = np.stack([np.full((*SIZE, 3), 20 * t, np.uint8)
                      for t in range(8)])
    video_writer(root / 'videos' / 'b.mp4', video)
    video_writer(root / 'videos' / 'Panda-70M-part' / 'd.mp4', video)
    ann = [{'1': dict(segmentation=rle_encoder(_box(0, 0))),
            '4': dict(segmentation=rle_encoder(_box(8, 8)))}]
    q = [dict(video='b.mp4', frame_idx='4', type='Basic Questions',
              Question='What is <object0><region> doing?',
              options=['(A) Sitting.', '(B) Running.'], Answer='(B)',
              annotation=ann)]
    d = [dict(video='d.mp4', frame_idx='1', caption='A box moves.',
              annotation=ann)]
    for name, data in (('VideoRefer-Bench-Q', q), ('VideoRefer-Bench-D', d)):
        with open(root / f'{name}.json', 'w') as f:
            json.dump(data, f)
    return root


def test_videorefer_bench(tmp_path, pipeline_factory, video_writer,
                          rle_encoder, tiny_processor,
                          config_dataset_factory):
    root = write_bench(tmp_path, video_writer, rle_encoder)
    dataset = config_dataset_factory(
        'videorefer_bench', split='test', data_root=str(root),
        pipeline=pipeline_factory(num_frames=2))
    info = dataset.get_data_info(0)
    assert info['turns'][0]['question'] == (
        'What is [0] doing?\nOptions:\n(A) Sitting.\n(B) Running.\n'
        'Please only give the best option.')
    assert info['gt_answer'] == 'B' and info['turns'][0]['answer'] is None
    assert info['options'] == ['(A) Sitting.', '(B) Running.']
    packed = dataset[0]
    sample = packed['data_samples']
    assert sample.gt_answer == 'B'
    # the prompt frame (annotated frame 4 = candidate 1) is sampled
    assert sample.metainfo['frame_inds'] == [0, 1]
    assert (packed['inputs']['labels'] == -100).all()
    text = tiny_processor.tokenizer.decode(packed['inputs']['input_ids'])
    assert text.endswith('<|im_start|>assistant\nThe best option is (')

    d = DATASETS.build(
        dict(type='VideoReferBenchDDataset', data_root=str(root),
             single_frame=True, pipeline=pipeline_factory(num_frames=2)))
    info = d.get_data_info(0)
    assert info['gt_answer'] == 'A box moves.'
    assert info['objects'][0]['masks'][1] == [None]  # single-frame mode
    assert d[0]['data_samples'].prompt_masks.flatten(2).any(2).sum() == 1


def test_videorefer_errors_name_the_entry(tmp_path, pipeline_factory,
                                          video_writer, rle_encoder):
    root = write_videorefer(tmp_path, video_writer, rle_encoder)
    cfg = dict(type='VideoRefer700KDataset', data_root=str(root),
               pipeline=pipeline_factory())
    (root / 'masks_qa' / '1.json').unlink()
    dataset = DATASETS.build(cfg)
    with pytest.raises(FileNotFoundError, match=r'videorefer videorefer-qa-'
                       r'75k-wo-masks 1 \(q1\): mask file not found'):
        dataset[1]
    with open(root / 'masks_qa' / '0.json', 'w') as f:
        json.dump([[[None]]], f)
    with pytest.raises(ValueError, match=r'0 \(q0\): masks of \[1\] frames '
                       'for 2 objects on 3 annotated frames'):
        dataset.get_data_info(0)
    entries = json.loads(
        (root / 'videorefer-qa-75k-wo-masks.json').read_text())
    entries[0]['annotation'].append({'2': {}})
    (root / 'videorefer-qa-75k-wo-masks.json').write_text(
        json.dumps(entries))
    with pytest.raises(ValueError, match=r'0 \(q0\): 2 <region> for 3 '
                       'objects'):
        DATASETS.build(cfg)
    (root / 'videos' / 'v1.mp4').unlink()
    dataset = DATASETS.build(dict(cfg, ann_file='videorefer-short-caption-'
                                  '500k-wo-masks.json',
                                  data_prefix=dict(
                                      video_path='videos',
                                      mask_path='masks_short_caption')))
    with pytest.raises(FileNotFoundError, match=r'\(s0\) .*v1.mp4'):
        dataset[0]


def _square(top, left):
    """10 x 12 pixels: a 32 x 32 square at the SAM2 size of the tests."""
    mask = np.zeros(SIZE, bool)
    mask[top:top + 10, left:left + 12] = True
    return mask


def write_pixelqa(root, video_writer, rle_encoder):
    """Two objects on annotated frames 0, 3 and 6; the question is asked on
    frame 3, where both objects are present."""
    (root / 'videos').mkdir(parents=True)
    video_writer(root / 'videos' / 'p.mp4',
                 np.stack([np.full((*SIZE, 3), 20 * t, np.uint8)
                           for t in range(8)]))
    ann = [{str(f): dict(segmentation=rle_encoder(_square(2 + f, 4)))
            for f in (0, 3, 6)},
           {str(f): dict(segmentation=rle_encoder(_square(20, 30)))
            for f in (3, 6)}]
    q = [dict(video='p.mp4', frame_idx='3', type='Relationship Questions',
              Question='Is <object1><region> left of <object0><region>? '
                       'Compare <object1> and <object0>.',
              options=['(A) Yes.', '(B) No.'], Answer='(B)',
              annotation=ann)]
    with open(root / 'VideoRefer-Bench-Q.json', 'w') as f:
        json.dump(q, f)
    return root


@pytest.mark.parametrize('prompt_type,kinds', [('point', ['point'] * 2),
                                               ('box', ['box'] * 2),
                                               ('mix', None)])
def test_pixelqa_form(tmp_path, pipeline_factory, tiny_processor,
                      video_writer, rle_encoder, prompt_type, kinds):
    root = write_pixelqa(tmp_path, video_writer, rle_encoder)
    pipeline = pipeline_factory(keep_ori_masks=True)
    pipeline[5] = dict(
        type='SamplePrompts', point_sampling='center', box_noise=0)
    dataset = DATASETS.build(
        dict(type='VideoReferBenchQDataset', data_root=str(root),
             task='mem', prompt_type=prompt_type, pipeline=pipeline))
    info = dataset.get_data_info(0)
    # the reference's wording: the first memory prompt around the question
    # and options (no answer instruction), objects named in question order
    assert info['turns'][0]['question'] == SEG_MEMORY_PROMPTS[0].format(
        'Is [1] <|ref|> left of [0] <|ref|>? Compare [1] and [0].\n'
        'Options:\n(A) Yes.\n(B) No..')
    assert info['turns'][0]['answer'] == '[1] <|seg|> [0] <|seg|>'
    assert info['memory_turn'] == dict(
        question='Is [1] left of [0]? Compare [1] and [0].\nOptions:\n'
        '(A) Yes.\n(B) No.\nPlease only give the best option.',
        answer_prefix='The best option is (',
        oids=['1', '0'])
    assert info['gt_answer'] == 'B' and info['prompt_frame'] == 1
    assert info['question_type'] == 'Relationship Questions'

    packed = dataset[0]
    sample = packed['data_samples']
    assert sample.memory_turn['oids'] == ['1', '0']
    assert sample.gt_answer == 'B'
    text = tiny_processor.tokenizer.decode(packed['inputs']['input_ids'])
    # the answer is given: the model segments its <|seg|> objects
    assert text.endswith('<|im_start|>assistant\n[1] <|seg|> [0] '
                         '<|seg|><|im_end|>')
    # all three annotated frames, the prompts on frame 3 (sampled frame 1)
    assert sample.metainfo['frame_inds'] == [0, 1, 2]
    assert sample.prompt_frames.tolist() == [1, 1]
    assert sample.gt_masks_ori.shape == (3, 2, *SIZE)
    assert sample.gt_masks_ori[:, 1].flatten(1).any(1).tolist() == [
        False, True, True]
    got = ['point' if len(lab) == 1 else 'box'
           for lab in sample.prompt_labels]
    if kinds is None:  # mix: one object each
        assert sorted(got) == ['box', 'point']
    else:
        assert got == kinds
    for o, (coords, kind) in enumerate(zip(sample.prompt_coords, got)):
        ys, xs = sample.gt_masks[1, o].nonzero(as_tuple=True)
        box = [xs.min(), ys.min(), xs.max(), ys.max()]
        if kind == 'box':  # the exact box
            assert coords.tolist() == [[box[0], box[1]], [box[2], box[3]]]
        else:  # the centre of the square, not a random pixel
            centre = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2]
            assert (coords[0] - torch.tensor(centre)).abs().max() <= 2


def test_pixelqa_single_region_is_object_0(tmp_path, pipeline_factory,
                                           video_writer, rle_encoder):
    root = write_bench(tmp_path, video_writer, rle_encoder)
    q = json.loads((root / 'VideoRefer-Bench-Q.json').read_text())
    q[0]['Question'] = 'What is <region> doing?'
    (root / 'VideoRefer-Bench-Q.json').write_text(json.dumps(q))
    dataset = DATASETS.build(
        dict(type='VideoReferBenchQDataset', data_root=str(root),
             task='mem', pipeline=pipeline_factory()))
    info = dataset.get_data_info(0)
    assert info['turns'][0]['answer'] == '[0] <|seg|>'
    assert info['memory_turn']['question'].startswith('What is [0] doing?')
    with pytest.raises(ValueError, match="'region' and 'mem' forms"):
        DATASETS.build(dict(type='VideoReferBenchQDataset',
                            data_root=str(root), task='ref'))
