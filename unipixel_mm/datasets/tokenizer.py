"""Deprecated: the processor and the special tokens are in
:mod:`unipixel_mm.text`."""
from unipixel_mm.deprecation import moved_names

__getattr__ = moved_names(
    __name__,
    dict({
        name: 'unipixel_mm.text'
        for name in ('REF_TOKEN', 'SEG_TOKEN', 'MEM_TOKEN', 'IGNORE_INDEX',
                     'QWEN2_5_VL_CHAT_TEMPLATE', 'build_processor',
                     'build_tiny_processor', 'get_processor')
    },
         TINY_SPECIAL_TOKENS='unipixel_mm.text.processor',
         TINY_VOCAB_SIZE='unipixel_mm.text.processor'))
