"""Attention backend selection for the transformers modules."""
import torch
from transformers.utils import is_flash_attn_2_available

ATTN_IMPLEMENTATIONS = ('sdpa', 'eager', 'flash_attention_2')


def check_attn_implementation(name: str) -> None:
    """Raise a clear error for an unknown or unavailable attention backend.

    ``flash_attention_2`` needs the flash-attn package and a CUDA device;
    ``sdpa`` (the default) and ``eager`` run everywhere.
    """
    if name not in ATTN_IMPLEMENTATIONS:
        raise ValueError(f'Unknown attn_implementation "{name}"; choose one '
                         f'of {ATTN_IMPLEMENTATIONS}')
    if name == 'flash_attention_2' and not (torch.cuda.is_available()
                                            and is_flash_attn_2_available()):
        raise RuntimeError(
            'attn_implementation="flash_attention_2" needs CUDA and the '
            'flash-attn package (pip install -e ".[cuda]"); use "sdpa" here')
