"""Dtype names of configs."""
from typing import Optional, Union

import torch

#: The floating dtypes a component may be built in.
FLOAT_DTYPES = ('float32', 'bfloat16', 'float16')


def resolve_dtype(
        dtype: Union[str, torch.dtype, None]) -> Optional[torch.dtype]:
    """The ``torch.dtype`` of a config's dtype name (None stays None).

    Args:
        dtype (str | torch.dtype | None): e.g. ``'bfloat16'`` or
            ``torch.bfloat16``.

    Returns:
        torch.dtype | None: the dtype.
    """
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    name = str(dtype).replace('torch.', '')
    if name not in FLOAT_DTYPES:
        raise ValueError(f'Unknown dtype "{dtype}"; choose one of '
                         f'{FLOAT_DTYPES}')
    return getattr(torch, name)
