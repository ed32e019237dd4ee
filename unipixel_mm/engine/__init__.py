"""Engine of unipixel_mm; importing it registers the local checkpoint
loader that works with torch >= 2.6 and the FlexibleRunner strategies."""
from .checkpoint import load_from_local
from .consolidate import load_trainable_state, load_trained_weights
from .distributed import (CPUDistributedDataParallel, closing_process_group,
                          setup_cpu_distributed)
from .hooks import SaveTrainableParamsHook, ValAtStartHook
from .runner import build_runner
from .strategies import UniPixelDeepSpeedStrategy, UniPixelFSDPStrategy

__all__ = [
    'load_from_local', 'load_trainable_state', 'load_trained_weights',
    'CPUDistributedDataParallel', 'closing_process_group',
    'setup_cpu_distributed', 'SaveTrainableParamsHook', 'ValAtStartHook',
    'build_runner', 'UniPixelDeepSpeedStrategy', 'UniPixelFSDPStrategy'
]
