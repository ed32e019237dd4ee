"""LLaVA-Instruct / VideoGPT+ conversations, MVBench and Video-MME."""
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from unipixel_mm.registry import DATASETS


def write_llava(root, video_writer):
    (root / 'llava_instruct' / 'coco').mkdir(parents=True)
    Image.fromarray(np.full((30, 40, 3), 80, np.uint8)).save(
        root / 'llava_instruct' / 'coco' / '1.jpg')
    (root / 'videogpt_plus' / 'clips').mkdir(parents=True)
    video_writer(root / 'videogpt_plus' / 'clips' / 'v.mp4',
                 np.zeros((6, 32, 32, 3), np.uint8))
    convs = [
        dict(id='img', image='coco/1.jpg', conversations=[
            dict(**{'from': 'human'}, value='<image>\nWhat is shown?'),
            dict(**{'from': 'gpt'}, value='A grey square.'),
            dict(**{'from': 'human'}, value='Which colour?'),
            dict(**{'from': 'gpt'}, value='Grey.')]),
        dict(id='vid', video='clips/v.mp4', duration=3.0, conversations=[
            dict(**{'from': 'human'}, value='Describe it.\n<video>'),
            dict(**{'from': 'gpt'}, value='A dark clip.')]),
        dict(id='text', conversations=[
            dict(**{'from': 'human'}, value='Hi'),
            dict(**{'from': 'gpt'}, value='Hello.'),
            dict(**{'from': 'human'}, value='Tell me a joke.'),
            dict(**{'from': 'gpt'}, value='No.')]),
        dict(id='long', image='coco/1.jpg', conversations=[
            dict(**{'from': 'human'}, value='<image>\nTalk.'),
            dict(**{'from': 'gpt'}, value=' '.join(['word'] * 250))]),
    ]
    (root / 'general').mkdir()
    with open(root / 'general' / 'llava_v1_5_mix665k_with_videogpt_plus_576k'
              '.json', 'w') as f:
        json.dump(convs, f)
    return root


def test_llava_conversations(tmp_path, config_dataset_factory,
                             pipeline_factory, video_writer, tiny_processor,
                             train_step):
    root = write_llava(tmp_path, video_writer)
    dataset = config_dataset_factory(
        'llava_instruct_665k_videogpt_plus_576k', data_root=str(root),
        pipeline=pipeline_factory(num_frames=4, max_turns=-1))
    # the text-only conversation is kept, the 250-word answer filtered
    # (the recipe's max_num_words 200)
    assert len(dataset) == 3
    info = dataset.get_data_info(0)
    assert info['task'] == 'chat' and info['source'] == 'llava_instruct_665k'
    assert [(t['question'], t['answer']) for t in info['turns']] == [
        ('What is shown?', 'A grey square.'), ('Which colour?', 'Grey.')]
    packed = dataset[0]
    inputs = packed['inputs']
    text = tiny_processor.tokenizer.decode(inputs['input_ids'])
    assert text.endswith('<|im_start|>assistant\nGrey.<|im_end|>')
    # both answers (and their <|im_end|>) are supervised
    supervised = tiny_processor.tokenizer.decode(
        inputs['labels'][inputs['labels'] >= 0])
    assert supervised == 'A grey square.<|im_end|>Grey.<|im_end|>'
    video = dataset.get_data_info(1)
    assert video['video_path'].endswith('videogpt_plus/clips/v.mp4')
    assert video['turns'][0]['question'] == 'Describe it.'
    assert dataset[1]['inputs']['frames'].shape[0] == 4
    text = dataset.get_data_info(2)
    assert text['entry'] == 'llava text' and text['task'] == 'chat'
    assert text['source'] == 'llava_instruct_665k'
    assert not {'img_path', 'video_path', 'frame_paths', 'frames'} & set(text)
    assert [(t['question'], t['answer']) for t in text['turns']] == [
        ('Hi', 'Hello.'), ('Tell me a joke.', 'No.')]
    assert set(dataset[2]['inputs']) == {'input_ids', 'labels'}
    train_step([packed, dataset[1]])


def test_llava_text_only_batches_train(tmp_path, config_dataset_factory,
                                       video_writer, tiny_processor,
                                       model_factory):
    """The recipe's pipeline (configs/_base_/datasets/
    llava_instruct_665k_videogpt_plus_576k.py) feeds text-only samples to
    the model alone and batched with a video sample."""
    from unipixel_mm.datasets import unipixel_collate
    root = write_llava(tmp_path, video_writer)
    dataset = config_dataset_factory(
        'llava_instruct_665k_videogpt_plus_576k', data_root=str(root))
    tok = tiny_processor.tokenizer
    text, video = dataset[2], dataset[1]
    ids, labels = text['inputs']['input_ids'], text['inputs']['labels']
    # the reference's messages of a text-only entry: plain user and
    # assistant texts
    messages = [
        dict(role='user', content='Hi'),
        dict(role='assistant', content='Hello.'),
        dict(role='user', content='Tell me a joke.'),
        dict(role='assistant', content='No.')
    ]
    assert tok.decode(ids) == tiny_processor.apply_chat_template(
        messages, tokenize=False).rstrip()
    # exactly the two answers and their <|im_end|> are supervised
    supervised = (labels != -100).nonzero()[:, 0].tolist()
    head = tok.encode('<|im_start|>assistant\n')
    starts = [
        i + len(head) for i in range(len(ids))
        if ids[i:i + len(head)].tolist() == head
    ]
    answers = [tok.encode('Hello.<|im_end|>'), tok.encode('No.<|im_end|>')]
    assert len(starts) == 2
    assert supervised == [
        s + k for s, a in zip(starts, answers) for k in range(len(a))
    ]
    assert [ids[s:s + len(a)].tolist()
            for s, a in zip(starts, answers)] == answers
    assert tok.decode(labels[supervised]) == 'Hello.<|im_end|>No.<|im_end|>'
    sample = text['data_samples']
    assert sample.metainfo['frame_size'] == (0, 0)
    assert sample.gt_masks.shape == (0, 0, 768, 768)

    model = model_factory().train()
    for packed in ([text], [text, video]):
        data = model.data_preprocessor(unipixel_collate(packed), True)
        inputs = data['inputs']
        losses = model(**data, mode='loss')
        assert set(losses) == {'loss_lm'}
        assert torch.isfinite(losses['loss_lm'])
        # the mean cross-entropy of the supervised next tokens of all rows
        logits = model(inputs, data['data_samples'], mode='tensor')
        target = inputs['labels'][:, 1:]
        expected = F.cross_entropy(
            logits[:, :-1][target != -100].float(), target[target != -100])
        assert torch.allclose(losses['loss_lm'], expected, atol=1e-5)
    # the video row brings its patches, frames and grid; the text row none
    assert inputs['video_grid_thw'].tolist() == [
        video['inputs']['video_grid_thw'].tolist()]
    assert torch.equal(inputs['pixel_values_videos'],
                       video['inputs']['pixel_values_videos'])
    assert inputs['frames'][0] is None
    assert inputs['frames'][1].shape == video['inputs']['frames'].shape
    # right padding: the text row keeps its labels, then -100
    assert torch.equal(inputs['labels'][0, :len(labels)], labels)
    assert (inputs['labels'][0, len(labels):] == -100).all()


def write_mvbench(root, video_writer):
    (root / 'json').mkdir(parents=True)
    (root / 'video' / 'clevrer' / 'video_validation').mkdir(parents=True)
    video_writer(root / 'video' / 'clevrer' / 'video_validation' / 'a.mp4',
                 np.zeros((6, 32, 32, 3), np.uint8))
    frames = root / 'video' / 'tvqa' / 'frames_fps3_hq' / 'clip1'
    frames.mkdir(parents=True)
    for i in range(1, 6):
        Image.fromarray(np.full((32, 32, 3), 40 * i, np.uint8)).save(
            frames / f'{i:05d}.jpg')
    with open(root / 'json' / 'moving_count.json', 'w') as f:
        json.dump([dict(video='a.mp4', question='How many  objects\nmove?',
                        candidates=['two', 'three', 'one'],
                        answer='three')], f)
    with open(root / 'json' / 'episodic_reasoning.json', 'w') as f:
        json.dump([dict(video='clip1', question='Who speaks?',
                        candidates=['Ross', 'Rachel'], answer='Ross')], f)
    return root


#: The two MVBench tasks ``write_mvbench`` writes: a frame folder and a video.
MVBENCH_TASKS = [('Episodic Reasoning', 'episodic_reasoning.json',
                  'tvqa/frames_fps3_hq', 'frame'),
                 ('Moving Count', 'moving_count.json',
                  'clevrer/video_validation', 'video')]


def test_mvbench(tmp_path, config_dataset_factory, pipeline_factory,
                 video_writer, tiny_processor):
    root = write_mvbench(tmp_path, video_writer)
    dataset = config_dataset_factory(
        'mvbench',
        split='test',
        data_root=str(root),
        tasks=MVBENCH_TASKS,
        pipeline=pipeline_factory(num_frames=4))
    assert len(dataset) == 2
    info = dataset.get_data_info(1)
    assert info['turns'][0]['question'] == (
        'How many objects move?\nOptions:\n(A) Two\n(B) Three\n(C) One\n'
        'Please only give the best option.')
    assert info['gt_answer'] == 'B'
    assert info['options'] == ['two', 'three', 'one']
    assert info['question_type'] == 'Moving Count'
    for i in range(2):
        packed = dataset[i]
        assert packed['data_samples'].gt_answer == 'AB'[i]
        text = tiny_processor.tokenizer.decode(packed['inputs']['input_ids'])
        assert text.endswith('<|im_start|>assistant\nBest Option: (')
    # the frame-folder task takes every 5 // 31-th (at least every) frame,
    # at most 32: all five
    assert dataset[0]['data_samples'].metainfo['frame_inds'] == [
        0, 1, 2, 3, 4]


def test_mvbench_reference_frame_sampling(tmp_path, config_dataset_factory,
                                          video_writer):
    """The config's pipeline: Qwen's fps rule for the video (6 frames at
    24 fps, 0.25 s: 4 frames, the least; linspace(0, 5, 4) rounded; sampled
    at 4 / 6 * 24 = 16 fps, so second_per_grid_ts = 2 / 16) and 32 strided
    frames (here all 5) told 2 fps for the frame folder."""
    root = write_mvbench(tmp_path, video_writer)
    dataset = config_dataset_factory(
        'mvbench', split='test', data_root=str(root), tasks=MVBENCH_TASKS)
    frames, video = dataset[0], dataset[1]
    assert frames['data_samples'].metainfo['frame_inds'] == [0, 1, 2, 3, 4]
    assert frames['inputs']['second_per_grid_ts'] == 1.0
    assert video['data_samples'].metainfo['frame_inds'] == [0, 2, 3, 5]
    assert video['inputs']['second_per_grid_ts'] == pytest.approx(0.125)
    # 4 frames: 2 temporal patches
    assert video['inputs']['video_grid_thw'][0].item() == 2
    # another layout stops with the file and the field
    with open(root / 'json' / 'moving_count.json', 'w') as f:
        json.dump([dict(video='a.mp4', question='Q?', options=['a'],
                        answer='a')], f)
    with pytest.raises(KeyError, match=r"moving_count.json.*'candidates'"):
        config_dataset_factory(
            'mvbench',
            split='test',
            data_root=str(root),
            tasks=MVBENCH_TASKS[1:])
    with pytest.raises(ValueError, match="kind 'clip'"):
        config_dataset_factory(
            'mvbench', split='test', data_root=str(root),
            tasks=[('X', 'moving_count.json', 'clevrer', 'clip')])


def test_videomme_records(tmp_path, config_dataset_factory,
                          pipeline_factory, video_writer):
    (tmp_path / 'videos_3fps_480_noaudio').mkdir()
    video_writer(tmp_path / 'videos_3fps_480_noaudio' / 'fFjv93ACGo8.mp4',
                 np.zeros((4, 32, 32, 3), np.uint8))
    records = [dict(videoID='fFjv93ACGo8', question_id='001-1',
                    duration='short', question='What  is it?',
                    options=['A. A cat.', 'B. A dog.', 'C. A car.',
                             'D. A cup.'], answer='C')]
    with open(tmp_path / 'videomme.json', 'w') as f:
        json.dump(records, f)
    dataset = config_dataset_factory(
        'videomme', split='test', data_root=str(tmp_path),
        ann_file='videomme.json', pipeline=pipeline_factory(num_frames=2))
    info = dataset.get_data_info(0)
    assert info['entry'] == 'videomme fFjv93ACGo8 001-1'
    assert info['options'] == ['A cat.', 'A dog.', 'A car.', 'A cup.']
    assert info['gt_answer'] == 'C' and info['question_type'] == 'short'
    assert dataset[0]['data_samples'].gt_answer == 'C'
    records[0]['options'][1] = 'B) A dog.'
    with open(tmp_path / 'videomme.json', 'w') as f:
        json.dump(records, f)
    with pytest.raises(ValueError, match=r'videomme fFjv93ACGo8 001-1: '
                       'options must be'):
        DATASETS.build(dict(type='VideoMMEDataset', data_root=str(tmp_path),
                            ann_file='videomme.json'))


def test_videomme_parquet(tmp_path):
    pd = pytest.importorskip('pandas')
    pytest.importorskip('pyarrow')
    pd.DataFrame([dict(videoID='x', question='Q?', duration='long',
                       options=np.array(['A. a', 'B. b', 'C. c', 'D. d']),
                       answer='D')]).to_parquet(tmp_path / 'test.parquet')
    dataset = DATASETS.build(dict(type='VideoMMEDataset',
                                  data_root=str(tmp_path),
                                  ann_file='test.parquet'))
    assert dataset.get_data_info(0)['gt_answer'] == 'D'
