"""Build ``sam2.modeling.sam2_base.SAM2Base`` from a hydra config of the sam2
package or of the UniPixel reference (no vendored SAM2 code)."""
import inspect
import os.path as osp
from typing import Any, Dict, Mapping, Optional, Union

import sam2
from hydra.utils import instantiate
from omegaconf import OmegaConf
from sam2.modeling.sam2_base import SAM2Base

from ..utils.sam2_dtype import follow_reference_dtypes

# Sub-modules that the UniPixel reference describes as plain dicts (without a
# ``_target_``); the sam2 package expects them instantiated.
_IMPLICIT_TARGETS = {
    ('memory_attention', 'layer'):
    'sam2.modeling.memory_attention.MemoryAttentionLayer',
    ('memory_attention', 'layer', 'self_attention'):
    'sam2.modeling.sam.transformer.RoPEAttention',
    ('memory_attention', 'layer', 'cross_attention'):
    'sam2.modeling.sam.transformer.RoPEAttention',
    ('memory_encoder', 'fuser', 'layer'):
    'sam2.modeling.memory_encoder.CXBlock',
}

# Options of the interactive SAM2 trainer / video predictor classes that
# UniPixel's own tracking does not use (it always starts from one conditioning
# frame prompted by ``<|seg|>`` tokens, without correction clicks).
_UNUSED_TRAINER_KEYS = frozenset([
    'prob_to_use_pt_input_for_train', 'prob_to_use_pt_input_for_eval',
    'prob_to_use_box_input_for_train', 'prob_to_use_box_input_for_eval',
    'num_frames_to_correct_for_train', 'num_frames_to_correct_for_eval',
    'rand_frames_to_correct_for_train', 'rand_frames_to_correct_for_eval',
    'num_init_cond_frames_for_train', 'num_init_cond_frames_for_eval',
    'rand_init_cond_frames_for_train', 'rand_init_cond_frames_for_eval',
    'add_all_frames_to_correct_as_cond', 'num_correction_pt_per_frame',
    'pt_sampling_for_eval', 'prob_to_sample_from_gt_for_train',
    'use_act_ckpt_iterative_pt_sampling',
    'forward_backbone_per_frame_for_eval', 'freeze_image_encoder',
    'fill_hole_area', 'non_overlap_masks', 'clear_non_cond_mem_around_input',
    'inference_mode'
])

_MODULE_KEYS = ('image_encoder', 'memory_attention', 'memory_encoder')


def resolve_sam2_config_path(name: str) -> str:
    """Find a SAM2 yaml by path or by its name in the sam2 package.

    Accepts a file path, a name inside the sam2 package such as
    ``configs/sam2.1/sam2.1_hiera_b+.yaml``, and the reference's names such as
    ``configs/sam2.1_hiera_b+`` (``sam2_config`` in official config.json).
    """
    package_dir = osp.dirname(sam2.__file__)
    stem = name[:-5] if name.endswith('.yaml') else name
    base = osp.basename(stem)
    version_dir = 'sam2.1' if base.startswith('sam2.1') else 'sam2'
    candidates = [
        name, stem + '.yaml',
        osp.join(package_dir, stem + '.yaml'),
        osp.join(package_dir, 'configs', version_dir, base + '.yaml')
    ]
    for path in candidates:
        if osp.isfile(path):
            return path
    raise FileNotFoundError(
        f'SAM2 config "{name}" is neither a file nor a config of the sam2 '
        f'package (looked at: {candidates})')


def load_sam2_model_config(
        sam2_config: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
    """Return the ``model`` node of a SAM2 hydra config as a plain dict."""
    if isinstance(sam2_config, str):
        cfg = OmegaConf.to_container(
            OmegaConf.load(resolve_sam2_config_path(sam2_config)),
            resolve=True)
    else:
        # a config's ConfigDict (or any mapping) as plain dicts and lists
        cfg = _plain(sam2_config)
    cfg = cfg.get('model', cfg)
    return dict(cfg)


def _plain(node: Any) -> Any:
    """Nested mappings and sequences as plain dicts and lists."""
    if isinstance(node, Mapping):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
    return node


def _add_implicit_targets(cfg: Dict[str, Any]) -> None:
    for path, target in _IMPLICIT_TARGETS.items():
        node = cfg
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict):
            node.setdefault('_target_', target)


def merge_overrides(cfg: Dict[str, Any], overrides: Dict[str, Any]) -> None:
    """Merge ``overrides`` into ``cfg`` in place, nested dicts key by key.

    E.g. ``dict(image_encoder=dict(trunk=dict(drop_path_rate=0.1)))`` sets
    one option of the Hiera trunk and keeps its others.
    """
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            merge_overrides(cfg[key], value)
        else:
            cfg[key] = value


def build_sam2_base(sam2_config: Union[str, Dict[str, Any]],
                    image_size: Optional[int] = None,
                    **overrides) -> SAM2Base:
    """Instantiate the modules of a SAM2 model from its config.

    Args:
        sam2_config (str | dict): a yaml path / sam2 package config name, or
            the dict of its ``model`` node.
        image_size (int, optional): side of the square SAM2 input; overrides
            the config's ``image_size``.
        **overrides: other ``SAM2Base`` arguments to override; nested dicts
            are merged (see :func:`merge_overrides`).

    Returns:
        SAM2Base: the model, with image encoder, memory attention, memory
        encoder, prompt encoder and mask decoder, casting as the reference
        does in half precision (see :func:`follow_reference_dtypes`).
    """
    cfg = load_sam2_model_config(sam2_config)
    merge_overrides(cfg, overrides)
    if image_size is not None:
        cfg['image_size'] = image_size
    cfg.pop('_target_', None)
    _add_implicit_targets(cfg)

    accepted = set(inspect.signature(SAM2Base.__init__).parameters) - {'self'}
    unknown = set(cfg) - accepted - _UNUSED_TRAINER_KEYS
    if unknown:
        raise KeyError(f'Unknown SAM2 model options {sorted(unknown)}; '
                       f'SAM2Base accepts {sorted(accepted)}')
    missing = [key for key in _MODULE_KEYS if key not in cfg]
    if missing:
        raise KeyError(f'SAM2 config lacks the modules {missing}')

    kwargs = {k: v for k, v in cfg.items() if k in accepted}
    for key in _MODULE_KEYS:
        kwargs[key] = instantiate(kwargs[key], _convert_='all')
    return follow_reference_dtypes(SAM2Base(**kwargs))
