"""The token protocol: the words every other part of UniPixel speaks.

Special tokens and their ids (:mod:`.tokens`), the processor builders
(:mod:`.processor`), the one conversation formatter (:mod:`.conversation`)
and the token-grid geometry of mask prompts (:mod:`.token_grid`). It
imports no other part of the package but the registry.
"""
from .conversation import (Conversation, ConversationFormatter,
                           assistant_spans, region_prefix, seg_by_id_answer)
from .processor import (QWEN2_5_VL_CHAT_TEMPLATE, build_processor,
                        build_tiny_processor, get_processor)
from .qwen3_processor import (build_tiny_qwen3_processor,
                              expand_video_placeholder, is_qwen3_processor)
from .token_grid import masks_to_token_grid
from .tokens import (IGNORE_INDEX, MEM_TOKEN, QWEN2_5_VL_TOKEN_IDS, REF_TOKEN,
                     SEG_TOKEN, TOKEN_ID_NAMES, special_token_ids)

__all__ = [
    'REF_TOKEN', 'SEG_TOKEN', 'MEM_TOKEN', 'IGNORE_INDEX', 'TOKEN_ID_NAMES',
    'QWEN2_5_VL_TOKEN_IDS', 'special_token_ids', 'QWEN2_5_VL_CHAT_TEMPLATE',
    'build_processor', 'build_tiny_processor', 'get_processor',
    'build_tiny_qwen3_processor', 'expand_video_placeholder',
    'is_qwen3_processor',
    'Conversation', 'ConversationFormatter', 'assistant_spans',
    'region_prefix', 'seg_by_id_answer', 'masks_to_token_grid'
]
