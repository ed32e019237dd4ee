"""One home for checkpoints of the model: reading safetensors and the official
UniPixel format (:mod:`.hf_weights`, :mod:`.official`), key mapping,
streaming, exporting, checkpoints of the trainable part and LoRA names
(:mod:`.partial`, :mod:`.weight_names`), loading that must fill the model
(:mod:`.strict`), the local loader for torch >= 2.6 (:mod:`.loader`) and
Hugging Face hub ids (:mod:`.hub`).

It sits in the model layer: ``apis``, ``interop``, ``engine`` and ``tools``
use it, and it imports nothing above ``models``.
"""
from .hf_weights import (INDEX_NAME, WEIGHTS_NAME, load_hf_part,
                         modular_to_official_key, official_to_modular_key,
                         read_official_state_dict, stream_official_weights,
                         weight_files)
from .hub import is_hub_id, resolve_model_path
from .loader import is_readable_checkpoint, load_from_local
from .official import (OFFICIAL_PRECISION, build_from_official,
                       checkpoint_dtype, export_official_checkpoint,
                       load_generation_config, load_official_checkpoint,
                       load_official_state_dict, model_cfg_from_official,
                       official_config_from_model, official_model_cfg,
                       official_state_dict, read_official_config,
                       save_official_checkpoint)
from .partial import (filter_state_dict, load_partial_checkpoints,
                      trainable_names)
from .strict import (CheckpointMismatchError, describe_state_dict,
                     load_checkpoint_strict, read_state_dict)
from .weight_names import checkpoint_weight_names, file_weight_names

__all__ = [
    'INDEX_NAME', 'WEIGHTS_NAME', 'load_hf_part', 'modular_to_official_key',
    'official_to_modular_key', 'read_official_state_dict',
    'stream_official_weights', 'weight_files', 'is_readable_checkpoint',
    'load_from_local', 'OFFICIAL_PRECISION', 'build_from_official',
    'checkpoint_dtype', 'export_official_checkpoint',
    'load_generation_config', 'load_official_checkpoint',
    'load_official_state_dict', 'model_cfg_from_official',
    'official_config_from_model', 'official_model_cfg', 'official_state_dict',
    'read_official_config', 'save_official_checkpoint', 'filter_state_dict',
    'load_partial_checkpoints', 'trainable_names', 'CheckpointMismatchError',
    'describe_state_dict', 'load_checkpoint_strict', 'read_state_dict',
    'checkpoint_weight_names', 'file_weight_names', 'is_hub_id',
    'resolve_model_path'
]
