from unipixel_mm.models.utils.hf_weights import read_official_state_dict
from .official_checkpoint import (build_from_official,
                                  load_official_checkpoint,
                                  load_official_state_dict,
                                  model_cfg_from_official, official_state_dict,
                                  read_official_config,
                                  save_official_checkpoint)
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'build_from_official', 'load_official_checkpoint',
    'load_official_state_dict',
    'model_cfg_from_official', 'official_state_dict', 'read_official_config',
    'read_official_state_dict', 'save_official_checkpoint'
]
