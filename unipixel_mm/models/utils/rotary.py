"""Rotary cos / sin looked up in a table instead of computed on every call."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class RotaryTable(nn.Module):
    """Wraps a transformers rotary embedding of the ``'default'`` kind and
    answers from a table of cos / sin per integer position.

    The wrapped module computes ``cos(position * inv_freq)`` for every
    position of every call (every decoding step); the table holds the same
    values, computed with the same float32 products, for positions
    ``0 .. n - 1`` and grows (doubling) when a larger position comes. It is
    rebuilt when the wrapped ``inv_freq`` changes (device or dtype moves);
    negative positions go to the wrapped module.

    Args:
        rotary (nn.Module): the transformers rotary embedding, with
            ``inv_freq`` and ``attention_scaling``; called as
            ``rotary(x, position_ids)``.
    """

    def __init__(self, rotary: nn.Module) -> None:
        super().__init__()
        self.rotary = rotary
        self._table = None
        self._key = None

    def _lookup(self, size: int):
        inv_freq = self.rotary.inv_freq
        key = (inv_freq.device, inv_freq.dtype, inv_freq._version,
               inv_freq.data_ptr())
        if self._key != key or self._table.size(0) < size:
            rows = max(size, 2 * self._table.size(0)
                       if self._key == key else 64)
            pos = torch.arange(
                rows, device=inv_freq.device, dtype=torch.float32)
            freqs = pos[:, None] * inv_freq.float()[None]
            emb = torch.cat((freqs, freqs), dim=-1)
            scale = self.rotary.attention_scaling
            # (rows, 2 D): cos | sin, one lookup for both
            self._table = torch.cat((emb.cos() * scale, emb.sin() * scale),
                                    dim=-1)
            self._key = key
        return self._table

    def forward(self, x: torch.Tensor, position_ids: torch.Tensor):
        """(..., L) integer positions -> cos, sin of shape (..., L, D) in the
        dtype of ``x``."""
        low, high = torch.aminmax(position_ids)
        if int(low) < 0:
            return self.rotary(x, position_ids)
        table = self._lookup(int(high) + 1)
        rows = F.embedding(position_ids, table).to(x.dtype)
        return rows.chunk(2, dim=-1)
