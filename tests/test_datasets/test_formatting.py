import numpy as np
import pytest
import torch

from unipixel_mm.datasets import IGNORE_INDEX
from unipixel_mm.datasets.transforms import (FormatConversation,
                                             PackUniPixelInputs)
from unipixel_mm.datasets.transforms.formatting import (assistant_spans,
                                                        region_prefix)
from unipixel_mm.structures import PixelDataSample


def test_region_prefix():
    masks = torch.zeros(2, 2, 2, 3, dtype=torch.bool)
    masks[:, 0, 0, 0] = True
    masks[1, 1, 1, 2] = True
    assert region_prefix(3, masks, ['4', '7']) == (
        'Here is a video with 3 frames denoted as <1> to <3>. The highlighted '
        'regions are as follows:\n[4]: <1>-<2> <|mem|> <3>-<4> <|mem|>\n'
        '[7]: <3>-<4> <|mem|>\n')
    assert region_prefix(1, masks[:1, :1], ['1']) == (
        'Here is an image with the following highlighted regions:\n'
        '[1]: <|mem|>\n')


def test_assistant_spans():
    text = ('<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\nA1'
            '<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n'
            '<|im_start|>assistant\nA2<|im_end|>')
    spans = assistant_spans(text)
    assert [text[s:e] for s, e in spans] == ['A1<|im_end|>', 'A2<|im_end|>']


def reference_labels(input_ids, text, tokenizer):
    """The reference's ChatML masking (``preprocess_chatml``), restated.

    The text is cut after every ``<|im_end|>``; the system, first user and
    first assistant pieces form the first round, then (user, assistant)
    pairs. In each round everything up to and including
    ``<|im_end|>\\n<|im_start|>assistant\\n`` is ignored, measured by
    tokenising the round pieces separately.
    """
    sep = '<|im_end|>'
    pieces = [p + sep for p in text.split(sep)][:-1]
    rounds = [''.join(pieces[:3])] + [
        ''.join(pieces[i:i + 2]) for i in range(3, len(pieces), 2)
    ]
    labels = input_ids.clone()
    head = sep + '\n<|im_start|>assistant\n'
    cur = 0
    for rnd in rounds:
        ins = head.join(rnd.split(head)[:-1]) + head
        labels[cur:cur + len(tokenizer(ins).input_ids)] = IGNORE_INDEX
        cur += len(tokenizer(rnd).input_ids)
    assert cur == len(input_ids)
    return labels


def _results(turns, num_objs=1, **kwargs):
    results = dict(
        turns=turns,
        objects=[dict(oid=str(o + 3)) for o in range(num_objs)],
        frames=np.zeros((3, 8, 8, 3), np.uint8),
        video_grid_thw=torch.tensor([2, 4, 4]),
        prompt_type=None,
        seg_targets=False,
        entry='revos 11')
    results.update(kwargs)
    return results


def test_format_conversation_tokens_and_labels(tiny_processor_dir,
                                               tiny_processor):
    turns = [
        dict(question='Is <|ref|> red?', answer='Yes, it is.'),
        dict(question='And its shape?', answer='A circle.')
    ]
    transform = FormatConversation(tiny_processor_dir)
    out = transform(_results(turns, prompt_type='point'))
    ids, labels = out['input_ids'], out['labels']
    assert ids.dtype == torch.long and labels.shape == ids.shape
    # 2 x 4 x 4 patches -> 8 merged video tokens, between start and end
    video = (ids == 244).nonzero()[:, 0]
    assert len(video) == 8 and (video.diff() == 1).all()
    assert ids[video[0] - 1] == 240 and ids[video[-1] + 1] == 241
    assert (ids == 250).sum() == 1 and ids[0] == 1 and ids[-1] == 2
    tok = tiny_processor.tokenizer
    assert tok.decode(labels[labels != IGNORE_INDEX]) == \
        'Yes, it is.<|im_end|>A circle.<|im_end|>'
    expanded = out['text'].replace('<|video_pad|>', '<|video_pad|>' * 8)
    assert torch.equal(labels, reference_labels(ids, expanded, tok))
    assert out['text'].startswith('<|im_start|>system\nYou are a helpful')
    assert '<|vision_start|><|video_pad|><|vision_end|>Is <|ref|> red?' in \
        out['text']


def test_format_conversation_strip_option(tiny_processor_dir):
    """Training text is stripped (the reference's hybrid.py); strip=False
    keeps the template's newline after the last <|im_end|> (as
    infer_pixelqa.py's answered first turn), labels unchanged."""
    turns = [dict(question='Track [0] <|ref|>.', answer='[0] <|seg|>')]
    kwargs = dict(prompt_type='point', seg_targets=True)
    stripped = FormatConversation(tiny_processor_dir)(
        _results(turns, **kwargs))
    kept = FormatConversation(tiny_processor_dir, strip=False)(
        _results(turns, **kwargs))
    assert stripped['text'].endswith('[0] <|seg|><|im_end|>')
    assert kept['text'] == stripped['text'] + '\n'
    assert kept['input_ids'][-1] == 97  # the tiny tokenizer's newline
    assert torch.equal(kept['input_ids'][:-1], stripped['input_ids'])
    assert torch.equal(kept['labels'][:-1], stripped['labels'])
    assert kept['labels'][-1] == IGNORE_INDEX
    assert 'strip=False' in repr(FormatConversation(tiny_processor_dir,
                                                    strip=False))


def test_format_conversation_with_mask_prompts(tiny_processor_dir):
    prompt_masks = torch.zeros(2, 1, 2, 2, dtype=torch.bool)
    prompt_masks[1, 0, 0, 0] = True
    turns = [dict(question='What is [3]?', answer='A ball.')]
    out = FormatConversation(tiny_processor_dir)(
        _results(turns, prompt_type='mask', prompt_masks=prompt_masks))
    assert (out['input_ids'] == 252).sum() == 1
    assert ('<|vision_end|>Here is a video with 3 frames denoted as <1> to '
            '<3>. The highlighted regions are as follows:\n[3]: <3>-<4> '
            '<|mem|>\nWhat is [3]?<|im_end|>') in out['text']


def test_format_conversation_for_generation(tiny_processor_dir):
    turns = [dict(question='Segment the cat.', answer=None)]
    out = FormatConversation(tiny_processor_dir)(
        _results(turns, seg_targets=True))
    assert out['text'].endswith('<|im_start|>assistant\n')
    assert (out['labels'] == IGNORE_INDEX).all()


def test_format_conversation_checks_special_tokens(tiny_processor_dir):
    transform = FormatConversation(tiny_processor_dir)
    turns = [dict(question='Segment the cat.', answer='Sure.')]
    with pytest.raises(ValueError, match=r'revos 11: 0 <\|seg\|> .* 1 '):
        transform(_results(turns, seg_targets=True))
    turns = [dict(question='What is <|ref|>?', answer='A cat.')]
    with pytest.raises(ValueError, match=r'revos 11: 1 <\|ref\|>'):
        transform(_results(turns))
    with pytest.raises(ValueError, match='turn 0 has no answer'):
        transform(_results([dict(question='a', answer=None),
                            dict(question='b', answer='c')]))
    long = FormatConversation(tiny_processor_dir, max_length=10)
    assert long(_results([dict(question='Q', answer='A')])) is None


def test_pack_unipixel_inputs():
    results = dict(
        input_ids=torch.tensor([1, 244, 251, 2]),
        labels=torch.tensor([-100, -100, 251, 2]),
        pixel_values_videos=torch.zeros(16, 1176),
        video_grid_thw=torch.tensor([1, 4, 4]),
        second_per_grid_ts=1.0,
        sam2_frames=torch.zeros(2, 3, 16, 16),
        sam2_size=16,
        sam2_masks=torch.ones(2, 1, 16, 16, dtype=torch.bool),
        obj_masks=np.ones((2, 1, 30, 40), dtype=bool),
        frame_size=(30, 40),
        seg_targets=True,
        sample_idx=3,
        entry='mevis 3',
        gt_answer='a cat')
    packed = PackUniPixelInputs(keep_ori_masks=True)(results)
    inputs, sample = packed['inputs'], packed['data_samples']
    assert set(inputs) == {
        'input_ids', 'labels', 'pixel_values_videos', 'video_grid_thw',
        'second_per_grid_ts', 'frames'
    }
    assert isinstance(inputs['second_per_grid_ts'], float)
    assert isinstance(sample, PixelDataSample)
    assert sample.metainfo['frame_size'] == (30, 40)
    assert sample.metainfo['sam2_size'] == 16
    assert sample.metainfo['entry'] == 'mevis 3'
    assert sample.gt_masks.shape == (2, 1, 16, 16)
    assert sample.gt_obj_to_frame.tolist() == [[[0, 0]], [[1, 0]]]
    assert sample.gt_obj_to_frame.dtype == torch.int32
    assert sample.gt_masks_ori.shape == (2, 1, 30, 40)
    assert sample.prompt_coords == [] and sample.prompt_labels == []
    assert sample.prompt_frames.shape == (0, )
    assert sample.prompt_masks.shape == (1, 0, 2, 2)
    assert sample.gt_answer == 'a cat'
    # objects that are prompts only are no segmentation targets
    results['seg_targets'] = False
    sample = PackUniPixelInputs()(results)['data_samples']
    assert sample.gt_masks.shape == (2, 0, 16, 16)
    assert sample.gt_obj_to_frame.shape == (2, 0, 2)
    assert 'gt_masks_ori' not in sample
    assert repr(PackUniPixelInputs()).startswith(
        "PackUniPixelInputs(meta_keys=('sample_idx'")


def text_only_results(**kwargs):
    """A text-only conversation of two turns after the processing steps."""
    results = dict(
        turns=[
            dict(question='Hi', answer='Hello.', obj_inds=[]),
            dict(question='How are you?', answer='Fine.', obj_inds=[])
        ],
        objects=[],
        task='chat',
        prompt_type=None,
        seg_targets=False,
        sam2_size=16,
        source='llava_instruct_665k',
        entry='llava 7',
        sample_idx=2)
    results.update(kwargs)
    return results


def test_format_conversation_of_a_text_only_sample(tiny_processor_dir,
                                                   tiny_processor):
    out = FormatConversation(tiny_processor_dir)(text_only_results())
    # the reference's messages: plain text, no video entry
    messages = [
        dict(role='user', content='Hi'),
        dict(role='assistant', content='Hello.'),
        dict(role='user', content='How are you?'),
        dict(role='assistant', content='Fine.')
    ]
    expected = tiny_processor.apply_chat_template(messages, tokenize=False)
    assert out['text'] == expected.rstrip() == (
        '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n'
        '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.'
        '<|im_end|>\n<|im_start|>user\nHow are you?<|im_end|>\n'
        '<|im_start|>assistant\nFine.<|im_end|>')
    ids, labels = out['input_ids'], out['labels']
    tok = tiny_processor.tokenizer
    assert tok.decode(ids) == out['text']
    assert not (ids == 244).any() and not (ids == 240).any()
    assert tok.decode(labels[labels != IGNORE_INDEX]) == \
        'Hello.<|im_end|>Fine.<|im_end|>'
    assert torch.equal(labels, reference_labels(ids, out['text'], tok))
    # evaluation: the generation prompt after the first turn
    gen = FormatConversation(tiny_processor_dir)(text_only_results(
        turns=[dict(question='Hi', answer=None, obj_inds=[])]))
    assert gen['text'].endswith('user\nHi<|im_end|>\n<|im_start|>'
                                'assistant\n')
    assert (gen['labels'] == IGNORE_INDEX).all()


def test_pack_a_text_only_sample_like_a_video_sample():
    results = text_only_results(
        input_ids=torch.tensor([1, 5, 6, 2]),
        labels=torch.tensor([-100, -100, 6, 2]),
        gt_answer='Fine.')
    packed = PackUniPixelInputs(keep_ori_masks=True)(results)
    inputs, sample = packed['inputs'], packed['data_samples']
    assert set(inputs) == {'input_ids', 'labels'}
    assert inputs['labels'].tolist() == [-100, -100, 6, 2]
    assert sample.metainfo == dict(
        frame_size=(0, 0), sam2_size=16, sample_idx=2, entry='llava 7',
        source='llava_instruct_665k', task='chat')
    assert sample.gt_answer == 'Fine.'
    # the fields of a video sample without objects, with T = 0 frames and
    # an empty token grid
    video = PackUniPixelInputs(keep_ori_masks=True)(dict(
        results,
        pixel_values_videos=torch.zeros(16, 1176),
        video_grid_thw=torch.tensor([1, 4, 4]),
        second_per_grid_ts=1.0,
        sam2_frames=torch.zeros(2, 3, 16, 16),
        sam2_masks=torch.zeros(2, 0, 16, 16, dtype=torch.bool),
        obj_masks=np.zeros((2, 0, 30, 40), dtype=bool),
        frame_size=(30, 40)))['data_samples']
    assert set(sample.keys()) == set(video.keys())
    expected = dict(
        prompt_frames=((0, ), torch.long),
        prompt_masks=((0, 0, 0, 0), torch.bool),
        gt_masks=((0, 0, 16, 16), torch.bool),
        gt_obj_to_frame=((0, 0, 2), torch.int32),
        gt_masks_ori=((0, 0, 0, 0), torch.bool))
    for key, (shape, dtype) in expected.items():
        assert sample.get(key).shape == shape, key
        assert sample.get(key).dtype == video.get(key).dtype == dtype, key
        assert sample.get(key).dim() == video.get(key).dim(), key
    assert sample.prompt_coords == video.prompt_coords == []
    assert sample.prompt_labels == video.prompt_labels == []
