"""Deprecated: moved to :mod:`unipixel_mm.models.checkpoint.official`."""
from unipixel_mm.deprecation import moved_names

__getattr__ = moved_names(
    __name__, {
        name: 'unipixel_mm.models.checkpoint.official'
        for name in (
            'MODEL_TYPE', 'read_official_config', 'DTYPE_FIELDS',
            'OFFICIAL_PRECISION', 'checkpoint_dtype',
            'model_cfg_from_official', 'load_official_state_dict',
            'official_state_dict', 'save_official_checkpoint',
            'load_generation_config', 'load_official_checkpoint',
            'build_from_official', 'SAM2_CONFIG_FILE',
            'official_config_from_model', 'export_official_checkpoint')
    })
