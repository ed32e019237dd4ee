"""Registries of unipixel_mm, children of mmengine's root registries.

Each registry has the scope ``unipixel_mm`` and a lazy ``locations`` list, so a
config with ``default_scope = 'unipixel_mm'`` finds a component by its type
name, and ``mmdet.X`` / ``mmseg.X`` reach the other toolkits' registries.

The registries of :data:`BUILT_BY_MMENGINE` hold nothing of ours (but
``OPTIMIZERS``: DeepSpeed's optimizers once its strategy is built): mmengine's
runner, strategies and visualizer build from them under the default scope
(loops, parameter schedulers, optimizers and the optimizer-wrapper
constructor, the evaluator, visualization back ends, the log processor,
runners) and find mmengine's own classes through them; without a
``unipixel_mm`` child each build would warn that the scope has no registry.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import INFERENCERS as MMENGINE_INFERENCERS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import STRATEGIES as MMENGINE_STRATEGIES
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry

__all__ = [
    'RUNNERS', 'LOOPS', 'HOOKS', 'STRATEGIES', 'DATASETS', 'DATA_SAMPLERS',
    'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS', 'OPTIMIZERS', 'OPTIM_WRAPPERS',
    'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS', 'METRICS', 'EVALUATOR',
    'VISBACKENDS', 'VISUALIZERS', 'INFERENCERS', 'FUNCTIONS', 'LOG_PROCESSORS'
]

#: Child registries kept empty for mmengine's builders (see above).
BUILT_BY_MMENGINE = ('RUNNERS', 'LOOPS', 'OPTIMIZERS',
                     'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS',
                     'EVALUATOR', 'VISBACKENDS', 'LOG_PROCESSORS')

RUNNERS = Registry(
    'runner', parent=MMENGINE_RUNNERS, locations=['unipixel_mm.engine'])
LOOPS = Registry(
    'loop', parent=MMENGINE_LOOPS, locations=['unipixel_mm.engine'])
HOOKS = Registry(
    'hook', parent=MMENGINE_HOOKS, locations=['unipixel_mm.engine'])
STRATEGIES = Registry(
    'strategy', parent=MMENGINE_STRATEGIES, locations=['unipixel_mm.engine'])

DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, locations=['unipixel_mm.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler',
    parent=MMENGINE_DATA_SAMPLERS,
    locations=['unipixel_mm.datasets'])
TRANSFORMS = Registry(
    'transform',
    parent=MMENGINE_TRANSFORMS,
    locations=['unipixel_mm.datasets.transforms'])

MODELS = Registry(
    'model', parent=MMENGINE_MODELS, locations=['unipixel_mm.models'])
MODEL_WRAPPERS = Registry(
    'model wrapper',
    parent=MMENGINE_MODEL_WRAPPERS,
    locations=['unipixel_mm.engine'])

OPTIMIZERS = Registry(
    'optimizer', parent=MMENGINE_OPTIMIZERS, locations=['unipixel_mm.engine'])
OPTIM_WRAPPERS = Registry(
    'optim wrapper',
    parent=MMENGINE_OPTIM_WRAPPERS,
    locations=['unipixel_mm.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['unipixel_mm.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMENGINE_PARAM_SCHEDULERS,
    locations=['unipixel_mm.engine'])

METRICS = Registry(
    'metric', parent=MMENGINE_METRICS, locations=['unipixel_mm.evaluation'])
EVALUATOR = Registry(
    'evaluator',
    parent=MMENGINE_EVALUATOR,
    locations=['unipixel_mm.evaluation'])

VISBACKENDS = Registry(
    'vis_backend',
    parent=MMENGINE_VISBACKENDS,
    locations=['unipixel_mm.visualization'])
VISUALIZERS = Registry(
    'visualizer',
    parent=MMENGINE_VISUALIZERS,
    locations=['unipixel_mm.visualization'])

LOG_PROCESSORS = Registry(
    'log_processor',
    parent=MMENGINE_LOG_PROCESSORS,
    locations=['unipixel_mm.engine'])
INFERENCERS = Registry(
    'inferencer', parent=MMENGINE_INFERENCERS, locations=['unipixel_mm.apis'])
FUNCTIONS = Registry(
    'function',
    parent=MMENGINE_FUNCTIONS,
    locations=['unipixel_mm.text', 'unipixel_mm.datasets'])
