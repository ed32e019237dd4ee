from .attention import ATTN_IMPLEMENTATIONS, check_attn_implementation
from .capture import capture_input
from .dtype import resolve_dtype
from .fp32 import Float32Module

__all__ = [
    'ATTN_IMPLEMENTATIONS', 'check_attn_implementation', 'capture_input',
    'Float32Module', 'resolve_dtype'
]
