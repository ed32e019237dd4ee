"""Data configs of the Qwen2.5-VL recipe turned into Qwen3-VL ones."""
import inspect

from .transforms.processing import QwenVideoProcess


def with_qwen3_processor(node, processor: str, patch_size: int = 16):
    """A copy of a data-set or pipeline config for a Qwen3-VL model.

    Every ``processor`` option (``QwenVideoProcess``,
    ``FormatConversation``) becomes ``processor``, and the pixel budgets of
    ``QwenVideoProcess`` (its own or its defaults, made for Qwen2.5-VL's 14
    px patches) are scaled to ``patch_size`` so that a frame gets as many
    visual tokens as before. For the configs of the recipe, whose data
    pipelines name a Qwen2.5-VL processor.

    Args:
        node: a config (dicts and lists nested).
        processor (str): the Qwen3-VL model directory.
        patch_size (int): the Qwen3-VL patch size.

    Returns:
        The rewritten copy.
    """
    if isinstance(node, (list, tuple)):
        return [with_qwen3_processor(v, processor, patch_size) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: with_qwen3_processor(v, processor, patch_size)
           for k, v in node.items()}
    if 'processor' in out:
        out['processor'] = processor
    if out.get('type') == 'QwenVideoProcess':
        defaults = inspect.signature(QwenVideoProcess).parameters
        scale = (patch_size / 14)**2
        for key in ('min_pixels', 'max_pixels'):
            out[key] = round(out.get(key, defaults[key].default) * scale)
    return out
