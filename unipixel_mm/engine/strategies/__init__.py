"""Strategies of mmengine's FlexibleRunner that also run on CPUs."""
from .deepspeed_strategy import (INSTALL_HINT, UniPixelDeepSpeedStrategy,
                                 import_deepspeed)
from .fsdp_strategy import RUNNER_STATE, UniPixelFSDPStrategy

__all__ = [
    'INSTALL_HINT', 'UniPixelDeepSpeedStrategy', 'import_deepspeed',
    'RUNNER_STATE', 'UniPixelFSDPStrategy'
]
