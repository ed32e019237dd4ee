import json
import os.path as osp

from parity_fixture import PARITY_FIXTURE

from unipixel_mm.datasets import (MEM_TOKEN, REF_TOKEN, SEG_TOKEN,
                                  build_processor, build_tiny_processor)


def test_tiny_ids_match_the_model_fixture(tiny_processor_dir):
    processor, ids = build_processor(tiny_processor_dir)
    tok = processor.tokenizer
    assert (tok.pad_token_id, tok.bos_token_id, tok.eos_token_id) == (0, 1, 2)
    assert len(tok) == 256 and ids['vocab_size'] == 256
    expected = {
        '<|vision_start|>': 240,
        '<|vision_end|>': 241,
        '<|vision_pad|>': 242,
        '<|image_pad|>': 243,
        '<|video_pad|>': 244,
        REF_TOKEN: 250,
        SEG_TOKEN: 251,
        MEM_TOKEN: 252,
    }
    for token, idx in expected.items():
        assert tok.convert_tokens_to_ids(token) == idx, token
        assert tok(token)['input_ids'] == [idx], token
    assert ids['ref_token_id'] == 250 and ids['seg_token_id'] == 251
    assert ids['mem_token_id'] == 252 and ids['video_token_id'] == 244
    # the normal tokens fill 3..239
    normal = [i for t, i in tok.get_vocab().items() if not t.startswith('<')]
    assert min(normal) == 3 and max(normal) == 239
    with open(osp.join(PARITY_FIXTURE, 'meta.json')) as f:
        meta = json.load(f)['token_ids']
    shared = [k for k in meta if k in ids]
    assert len(shared) >= 8, shared
    assert all(ids[k] == meta[k] for k in shared)


def test_tiny_processor_is_deterministic(tmp_path, tiny_processor_dir):
    build_tiny_processor(str(tmp_path))
    for name in ('tokenizer.json', 'vocab.json', 'merges.txt'):
        with open(tmp_path / name) as a, \
                open(osp.join(tiny_processor_dir, name)) as b:
            assert a.read() == b.read(), name


def test_tiny_processor_text_and_config(tiny_processor):
    tok = tiny_processor.tokenizer
    text = 'Please segment the red circle. <|seg|>'
    ids = tok(text)['input_ids']
    assert tok.decode(ids) == text
    assert ids[-1] == 251 and all(i < 240 for i in ids[:-1])
    # the chat template is Qwen2.5-VL's
    messages = [
        dict(role='user', content=[dict(type='video'),
                                   dict(type='text', text='Hi')]),
        dict(role='assistant', content='Yes')
    ]
    rendered = tiny_processor.apply_chat_template(messages, tokenize=False)
    assert rendered == (
        '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n'
        '<|im_start|>user\n<|vision_start|><|video_pad|><|vision_end|>Hi'
        '<|im_end|>\n<|im_start|>assistant\nYes<|im_end|>\n')
    vp = tiny_processor.video_processor
    assert (vp.patch_size, vp.merge_size, vp.temporal_patch_size) == (14, 2, 2)


def test_build_processor_adds_tokens_once(tiny_processor_dir):
    processor, ids = build_processor(tiny_processor_dir)
    added = processor.tokenizer.add_special_tokens(
        dict(additional_special_tokens=[REF_TOKEN, SEG_TOKEN, MEM_TOKEN]))
    assert added == 0 and len(processor.tokenizer) == 256
    assert processor.tokenizer.additional_special_tokens == [
        REF_TOKEN, SEG_TOKEN, MEM_TOKEN
    ]
