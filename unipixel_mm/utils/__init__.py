from unipixel_mm.deprecation import alias_moved_modules, moved_names
from .setup_env import register_all_modules

__all__ = ['register_all_modules']

# the official-checkpoint functions moved to unipixel_mm.models.checkpoint
__getattr__ = moved_names(
    __name__, {
        name: 'unipixel_mm.models.checkpoint'
        for name in ('build_from_official', 'load_official_checkpoint',
                     'load_official_state_dict', 'model_cfg_from_official',
                     'official_state_dict', 'read_official_config',
                     'read_official_state_dict', 'save_official_checkpoint')
    })
# unipixel_mm.utils.{official_checkpoint,strict_loading}
alias_moved_modules(__name__)
