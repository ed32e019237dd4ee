from unipixel_mm.deprecation import alias_moved_modules
from .attention import ATTN_IMPLEMENTATIONS, check_attn_implementation
from .capture import capture_input
from .dtype import resolve_dtype
from .fp32 import Float32Module
from .precision import PRECISION_POLICIES, apply_precision, check_precision

__all__ = [
    'ATTN_IMPLEMENTATIONS', 'check_attn_implementation', 'capture_input',
    'Float32Module', 'resolve_dtype', 'PRECISION_POLICIES', 'apply_precision',
    'check_precision'
]

alias_moved_modules(__name__)  # hf_weights, weight_names
