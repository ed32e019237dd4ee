"""Keep a module in float32 when the rest of the model is cast."""
import torch
import torch.nn as nn


class Float32Module(nn.Module):
    """A module whose floating parameters and buffers stay float32.

    ``model.to(torch.bfloat16)`` casts the LLM and the vision encoder, while
    subclasses (the SAM2 parts: random-frequency position encodings and small
    convolutional heads) keep running in float32, as SAM2 does under autocast.
    Device moves still apply. Callers cast inputs and outputs at the border.

    Setting ``keep_float32 = False`` (the ``'reference'`` precision policy of
    :class:`~unipixel_mm.models.UniPixel`) lets the module be cast like any
    other.
    """

    #: Whether dtype casts of the model leave this module in float32.
    keep_float32: bool = True

    def _apply(self, fn, recurse=True):
        if not self.keep_float32:
            return super()._apply(fn, recurse)

        def to_fp32(tensor: torch.Tensor) -> torch.Tensor:
            out = fn(tensor)
            return out.float() if out.is_floating_point() else out

        return super()._apply(to_fp32, recurse)
