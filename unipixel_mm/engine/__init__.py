"""Engine of unipixel_mm; importing it registers the local checkpoint
loader that works with torch >= 2.6."""
from .checkpoint import load_from_local
from .distributed import CPUDistributedDataParallel, setup_cpu_distributed
from .hooks import SaveTrainableParamsHook, ValAtStartHook
from .runner import build_runner

__all__ = [
    'load_from_local', 'CPUDistributedDataParallel', 'setup_cpu_distributed',
    'SaveTrainableParamsHook', 'ValAtStartHook', 'build_runner'
]
