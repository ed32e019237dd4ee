"""The Qwen2.5-VL processor with UniPixel's special tokens, and a tiny one.

UniPixel adds three special tokens to the Qwen2.5-VL tokenizer: ``<|ref|>``
(a point or box prompt), ``<|seg|>`` (a mask to predict) and ``<|mem|>`` (a
mask prompt, one per temporal group the object is visible in). The official
UniPixel checkpoints ship a tokenizer that has them already; a plain
Qwen2.5-VL directory gets them appended after its vocabulary.

:func:`build_tiny_processor` writes a processor that needs no download: a
byte-level BPE trained on a built-in corpus, wrapped in the real transformers
classes, with the token ids of the tiny parity fixture of the tests
(``tests/data/parity/upstream_tiny/meta.json``).
"""
import itertools
import json
import os
import os.path as osp
import tempfile
from functools import lru_cache
from typing import Dict, List, Tuple, Union

from unipixel_mm.registry import FUNCTIONS

REF_TOKEN = '<|ref|>'
SEG_TOKEN = '<|seg|>'
MEM_TOKEN = '<|mem|>'
IGNORE_INDEX = -100

#: The chat template of the Qwen2.5-VL instruct checkpoints.
QWEN2_5_VL_CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}"
    "{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}"
    "{{ message['content'] }}<|im_end|>\n"
    "{% else %}"
    "{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content "
    "or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}"
    "{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}"
    "{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}"
    "<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}"
    "{% endif %}"
    "{% endfor %}"
    "<|im_end|>\n"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")

# The pre-tokenisation split of the Qwen2 tokenizers.
_QWEN2_SPLIT_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
    r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

#: Special tokens of the tiny tokenizer by id; the ids match the tiny model
#: fixture (``meta.json``): pad 0, bos 1, eos 2, vision 240-244 and the
#: UniPixel tokens 250-252. The other slots take the remaining Qwen2.5-VL
#: special tokens.
TINY_SPECIAL_TOKENS = {
    0: '<|endoftext|>',
    1: '<|im_start|>',
    2: '<|im_end|>',
    240: '<|vision_start|>',
    241: '<|vision_end|>',
    242: '<|vision_pad|>',
    243: '<|image_pad|>',
    244: '<|video_pad|>',
    245: '<|object_ref_start|>',
    246: '<|object_ref_end|>',
    247: '<|box_start|>',
    248: '<|box_end|>',
    249: '<|quad_start|>',
    250: REF_TOKEN,
    251: SEG_TOKEN,
    252: MEM_TOKEN,
    253: '<|quad_end|>',
    254: '<tool_call>',
    255: '</tool_call>',
}
TINY_VOCAB_SIZE = 256
# Normal (BPE) tokens take the ids in [3, 240).
_TINY_FIRST_NORMAL_ID = 3
_TINY_NUM_NORMAL = 240 - _TINY_FIRST_NORMAL_ID


def _tiny_corpus() -> List[str]:
    """Sentences the tiny BPE learns its merges from (ASCII only).

    Returns:
        list[str]: The chat scaffolding and the kinds of sentences the
        synthetic data set and the prompt templates produce.
    """
    colours = ['red', 'green', 'blue', 'yellow']
    shapes = ['circle', 'square', 'triangle']
    lines = [
        'system\nYou are a helpful assistant.', 'user\n', 'assistant\n',
        'Here is a video with 4 frames denoted as <1> to <4>. '
        'The highlighted regions are as follows:\n[0]: <1>-<2> ',
        'Here is an image with the following highlighted regions:\n[1]: ',
        'Please segment the object. Sure, the segmentation mask is .',
        'The target is . It is the one in the image.',
        'Can you segment the target in this video? '
        'Please respond with the segmentation mask.',
        'Give me a short description of the region marked by .',
        'What can you tell me about the region indicated by ?',
        'Answer: (A) (B) (C) (D) 0 1 2 3 4 5 6 7 8 9 yes no',
    ]
    for colour, shape in itertools.product(colours, shapes):
        lines += [
            f'Please segment the {colour} {shape}.',
            f'What colour is the {shape}? The {shape} is {colour}.',
            f'What shape is the {colour} object? It is a {shape}.',
            f'Can you find the {colour} {shape} in the image?',
            f'Track the {colour} {shape} in this video.',
        ]
    return lines


def _train_tiny_bpe():
    """Trains the byte-level BPE of the tiny tokenizer.

    The alphabet is fixed to the byte-level symbols of printable ASCII and the
    newline, so training on the built-in corpus is deterministic; other
    characters map to the unknown token ``<|endoftext|>``.

    Returns:
        tokenizers.Tokenizer: A tokenizer whose vocabulary holds the special
        tokens at :data:`TINY_SPECIAL_TOKENS` and 237 normal tokens at ids
        3-239.
    """
    from tokenizers import (Regex, Tokenizer, decoders, models, normalizers,
                            pre_tokenizers, trainers)

    byte_level = pre_tokenizers.ByteLevel(
        add_prefix_space=False, use_regex=False)
    alphabet = sorted(
        byte_level.pre_tokenize_str(chr(b))[0][0]
        for b in [ord('\n')] + list(range(0x20, 0x7f)))
    pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(
            Regex(_QWEN2_SPLIT_PATTERN), behavior='isolated', invert=False),
        byte_level
    ])

    trainer_tok = Tokenizer(models.BPE())
    trainer_tok.normalizer = normalizers.NFC()
    trainer_tok.pre_tokenizer = pre_tokenizer
    trainer = trainers.BpeTrainer(
        vocab_size=_TINY_NUM_NORMAL,
        initial_alphabet=alphabet,
        limit_alphabet=len(alphabet),
        show_progress=False)
    trainer_tok.train_from_iterator(_tiny_corpus(), trainer)

    trained = sorted(trainer_tok.get_vocab().items(), key=lambda kv: kv[1])
    if len(trained) != _TINY_NUM_NORMAL:
        raise RuntimeError(f'the tiny BPE learned {len(trained)} tokens, '
                           f'expected {_TINY_NUM_NORMAL}')
    vocab = {
        tok: _TINY_FIRST_NORMAL_ID + i
        for i, (tok, _) in enumerate(trained)
    }
    vocab.update({tok: i for i, tok in TINY_SPECIAL_TOKENS.items()})
    merges = [
        tuple(m.split(' ')) if isinstance(m, str) else tuple(m)
        for m in _json_model(trainer_tok)['merges']
    ]

    tok = Tokenizer(
        models.BPE(vocab=vocab, merges=merges, unk_token='<|endoftext|>'))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    return tok


def _json_model(tok) -> dict:
    """Returns the serialised BPE model (vocab and merges) of a tokenizer."""
    return json.loads(tok.to_str())['model']


def tiny_tokenizer():
    """The tiny tokenizer: :func:`_train_tiny_bpe` in ``Qwen2TokenizerFast``
    with the special tokens of :data:`TINY_SPECIAL_TOKENS`."""
    from transformers import Qwen2TokenizerFast

    # <|endoftext|> is the pad / unknown token, not an additional special
    specials = [tok for i, tok in sorted(TINY_SPECIAL_TOKENS.items()) if i]
    tokenizer = Qwen2TokenizerFast(
        tokenizer_object=_train_tiny_bpe(),
        unk_token='<|endoftext|>',
        pad_token='<|endoftext|>',
        bos_token='<|im_start|>',
        eos_token='<|im_end|>',
        additional_special_tokens=specials,
        model_max_length=32768,
        errors='replace',
        split_special_tokens=False)
    if len(tokenizer) != TINY_VOCAB_SIZE:
        raise RuntimeError(f'tiny tokenizer has {len(tokenizer)} ids, '
                           f'expected {TINY_VOCAB_SIZE}')
    return tokenizer


def save_processor(processor, save_dir: str) -> None:
    """``save_pretrained`` into ``save_dir`` so that readers never see half
    a file: written aside, then moved file by file (processes building at
    once, one per GPU or worker, write the same bytes)."""
    os.makedirs(save_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=save_dir) as tmp:
        processor.save_pretrained(tmp)
        for name in os.listdir(tmp):
            os.replace(osp.join(tmp, name), osp.join(save_dir, name))
    # a processor loaded from this directory before may be stale
    _load_processor.cache_clear()


@lru_cache(maxsize=None)
def _write_tiny_processor(save_dir: str) -> None:
    """Writes the tiny processor files to ``save_dir`` once per process.

    Args:
        save_dir (str): Absolute directory for ``save_pretrained``.
    """
    from transformers import (Qwen2_5_VLProcessor, Qwen2VLImageProcessorFast,
                              Qwen2VLVideoProcessor)

    tokenizer = tiny_tokenizer()
    size = dict(shortest_edge=56 * 56, longest_edge=28 * 28 * 256)
    image_processor = Qwen2VLImageProcessorFast(
        size=size, patch_size=14, temporal_patch_size=2, merge_size=2)
    video_processor = Qwen2VLVideoProcessor(
        size=dict(size), patch_size=14, temporal_patch_size=2, merge_size=2)
    processor = Qwen2_5_VLProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=video_processor,
        chat_template=QWEN2_5_VL_CHAT_TEMPLATE)
    save_processor(processor, save_dir)


def build_tiny_processor(save_dir: str) -> Tuple[object, Dict[str, int]]:
    """Builds, saves and reloads a tiny Qwen2.5-VL processor.

    The tokenizer is a byte-level BPE with 237 normal tokens trained on a
    built-in corpus plus the Qwen2.5-VL and UniPixel special tokens, 256 ids
    in all (:data:`TINY_SPECIAL_TOKENS`), wrapped in ``Qwen2TokenizerFast``.
    The image and video processors are the Qwen2-VL ones with patch size 14,
    merge size 2 and temporal patch size 2; the processor carries the
    Qwen2.5-VL chat template. Building twice gives the same files; within a
    process the files are written once per directory.

    Args:
        save_dir (str): Directory that ``save_pretrained`` writes to.

    Returns:
        tuple: ``(processor, token_ids)`` as :func:`build_processor` returns
        them for ``save_dir``.
    """
    _write_tiny_processor(osp.abspath(save_dir))
    return build_processor(save_dir)


@lru_cache(maxsize=4)
def _load_processor(model_dir: str):
    """Loads a processor once per directory and adds the UniPixel tokens."""
    from transformers import AutoProcessor

    if not osp.isdir(model_dir):
        raise FileNotFoundError(
            f'processor directory not found: {model_dir!r}')
    processor = AutoProcessor.from_pretrained(model_dir, use_fast=True)
    # replaces the tokenizer's list of additional special tokens with these
    # three, as the reference's training script does
    processor.tokenizer.add_special_tokens(
        dict(additional_special_tokens=[REF_TOKEN, SEG_TOKEN, MEM_TOKEN]))
    tokenizer = processor.tokenizer
    token_ids = dict(
        ref_token_id=tokenizer.convert_tokens_to_ids(REF_TOKEN),
        seg_token_id=tokenizer.convert_tokens_to_ids(SEG_TOKEN),
        mem_token_id=tokenizer.convert_tokens_to_ids(MEM_TOKEN),
        vision_start_token_id=tokenizer.convert_tokens_to_ids(
            '<|vision_start|>'),
        vision_end_token_id=tokenizer.convert_tokens_to_ids('<|vision_end|>'),
        image_token_id=tokenizer.convert_tokens_to_ids('<|image_pad|>'),
        video_token_id=tokenizer.convert_tokens_to_ids('<|video_pad|>'),
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        vocab_size=len(tokenizer))
    return processor, token_ids


def build_processor(model_dir: str) -> Tuple[object, Dict[str, int]]:
    """Loads a Qwen2.5-VL processor and adds the UniPixel special tokens.

    ``<|ref|>``, ``<|seg|>`` and ``<|mem|>`` are added as special tokens
    (none is added when the tokenizer has them, as in the official UniPixel
    checkpoints); initialising their embeddings is the model's business.
    Processors are cached per directory.

    Args:
        model_dir (str): A local directory with the processor files
            (tokenizer, ``preprocessor_config.json``, chat template).

    Returns:
        tuple: ``(processor, token_ids)``: the ``Qwen2_5_VLProcessor`` and a
        dict with ``ref_token_id``, ``seg_token_id``, ``mem_token_id``,
        ``vision_start_token_id``, ``vision_end_token_id``,
        ``image_token_id``, ``video_token_id``, ``pad_token_id``,
        ``eos_token_id`` and ``vocab_size`` (``len(tokenizer)``).
    """
    processor, token_ids = _load_processor(osp.abspath(model_dir))
    return processor, dict(token_ids)


FUNCTIONS.register_module(module=build_processor)
FUNCTIONS.register_module(module=build_tiny_processor)


def get_processor(processor: Union[str, dict]):
    """Returns a processor from a model directory or a builder config.

    Args:
        processor (str | dict): A model directory for :func:`build_processor`
            or a config such as
            ``dict(type='build_tiny_processor', save_dir=...)``.

    Returns:
        transformers.Qwen2_5_VLProcessor: The processor.
    """
    if isinstance(processor, str):
        return build_processor(processor)[0]
    return FUNCTIONS.build(processor)[0]
