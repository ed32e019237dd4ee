"""UniPixel's special tokens and the ids a model reads from its processor.

UniPixel adds three special tokens to the Qwen2.5-VL tokenizer: ``<|ref|>``
(a point or box prompt), ``<|seg|>`` (a mask to predict) and ``<|mem|>`` (a
mask prompt, one per temporal group the object is visible in). Their ids,
and those of Qwen2.5-VL's vision placeholders, depend on the tokenizer, so
they are read from it (:func:`special_token_ids`), never written twice.
"""
from typing import Dict

REF_TOKEN = '<|ref|>'
SEG_TOKEN = '<|seg|>'
MEM_TOKEN = '<|mem|>'
#: Label of the positions that are not supervised (torch's cross-entropy
#: default ``ignore_index``).
IGNORE_INDEX = -100

#: Model argument -> token, for the ids :func:`special_token_ids` reads.
TOKEN_ID_NAMES = {
    'ref_token_id': REF_TOKEN,
    'seg_token_id': SEG_TOKEN,
    'mem_token_id': MEM_TOKEN,
    'vision_start_token_id': '<|vision_start|>',
    'vision_end_token_id': '<|vision_end|>',
    'image_token_id': '<|image_pad|>',
    'video_token_id': '<|video_pad|>',
}

#: The ids in the Qwen2.5-VL tokenizer with the UniPixel tokens appended
#: (the official checkpoints'): what a model uses when its config names no
#: ids and no processor.
QWEN2_5_VL_TOKEN_IDS = dict(
    ref_token_id=151665,
    seg_token_id=151666,
    mem_token_id=151667,
    vision_start_token_id=151652,
    vision_end_token_id=151653,
    image_token_id=151655,
    video_token_id=151656,
    pad_token_id=151643,
    eos_token_id=151645)


def special_token_ids(tokenizer) -> Dict[str, int]:
    """The ids of the special tokens in a tokenizer.

    Args:
        tokenizer (transformers.PreTrainedTokenizerBase): A Qwen2.5-VL
            tokenizer with the UniPixel tokens.

    Returns:
        dict[str, int]: ``ref_token_id``, ``seg_token_id``, ``mem_token_id``,
        ``vision_start_token_id``, ``vision_end_token_id``,
        ``image_token_id``, ``video_token_id``, ``pad_token_id``,
        ``eos_token_id`` and ``vocab_size`` (``len(tokenizer)``).

    Raises:
        ValueError: When the tokenizer lacks one of the tokens.
    """
    ids = {}
    for name, token in TOKEN_ID_NAMES.items():
        ids[name] = tokenizer.convert_tokens_to_ids(token)
        missing = ids[name] == tokenizer.unk_token_id and \
            token != tokenizer.unk_token
        if ids[name] is None or missing:
            raise ValueError(f'The tokenizer has no {token} token')
    ids.update(
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        vocab_size=len(tokenizer))
    return ids
