"""Deprecated: moved to :mod:`unipixel_mm.models.checkpoint.hf_weights`."""
from unipixel_mm.deprecation import moved_names

__getattr__ = moved_names(
    __name__, {
        name: 'unipixel_mm.models.checkpoint.hf_weights'
        for name in (
            'WEIGHTS_NAME', 'INDEX_NAME', 'SAFETENSORS_FLOAT_DTYPES',
            'official_to_modular_key', 'modular_to_official_key',
            'weight_files', 'open_weights', 'SAFETENSORS_DTYPES',
            'read_tensors_into', 'read_official_state_dict', 'tied_keys',
            'is_lora_key', 'lora_base_key', 'check_state', 'load_checked',
            'check_dtypes', 'stream_official_weights', 'load_hf_part')
    })
