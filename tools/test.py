"""Test (evaluate) a UniPixel checkpoint with mmengine's Runner.

Examples:
    python tools/test.py configs/unipixel_tiny_synthetic.py \
        work_dirs/unipixel_tiny_synthetic/iter_300.pth --out preds.pkl
    # a benchmark config with the model of another config, and an official
    # checkpoint directory (config.json + safetensors) or its hub id
    python tools/test.py configs/benchmarks/revos.py \
        checkpoints/UniPixel-3B --model-config configs/unipixel_3b.py
    python tools/test.py configs/benchmarks/revos.py \
        PolyU-ChenLab/UniPixel-3B --model-config configs/unipixel_3b.py
    torchrun --nproc_per_node 8 tools/test.py CONFIG CHECKPOINT \
        --launcher pytorch
"""
import argparse
import os.path as osp
from typing import Optional

from mmengine.config import Config, ConfigDict
from mmengine.evaluator import DumpResults
from mmengine.fileio import dump
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from runner_args import apply_runner_args, parse_runner_args

from unipixel_mm import fileio
from unipixel_mm.apis.errors import cli_errors
from unipixel_mm.engine import build_runner, closing_process_group
from unipixel_mm.models.checkpoint import (OFFICIAL_PRECISION,
                                           is_readable_checkpoint,
                                           load_checkpoint_strict,
                                           official_model_cfg,
                                           resolve_model_path)
from unipixel_mm.utils import register_all_modules

#: The keys a benchmark config sets over a model config.
BENCHMARK_KEYS = ('test_dataloader', 'test_evaluator', 'val_dataloader',
                  'val_evaluator')
#: What a test run keeps of a model config: the model and the runtime (a
#: training config's data mixture, optimizer and schedule are left out: they
#: are not used, and dumping them costs seconds per run)
MODEL_KEYS = ('model', 'processor', 'default_scope', 'default_hooks',
              'custom_hooks', 'custom_imports', 'env_cfg', 'log_processor',
              'log_level', 'visualizer', 'randomness', 'load_from', 'resume',
              'launcher', 'work_dir', 'runner_type', 'strategy',
              'model_wrapper_cfg', 'find_unused_parameters', 'compile',
              'experiment_name')


def parse_args() -> argparse.Namespace:
    """Parses the command line."""
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) a UniPixel model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        help='checkpoint file, or an official checkpoint directory '
        '(config.json + safetensors) or its Hugging Face hub id (e.g. '
        'PolyU-ChenLab/UniPixel-3B, downloaded once into the Hugging Face '
        'cache) whose architecture replaces the model of the config')
    parser.add_argument(
        '--model-config',
        help='config whose model (and runtime) to test: CONFIG then only '
        'gives the test / val data and evaluators (configs/benchmarks/)')
    parser.add_argument(
        '--sam2-config',
        help='SAM2 yaml of an official checkpoint directory whose '
        'config.json names one outside the sam2 package')
    parser.add_argument(
        '--out',
        help='dump the predictions (data samples as dicts) to a pickle file '
        '(.pkl)')
    parser.add_argument(
        '--show-dir',
        help='directory where the visualization hook saves painted '
        'predictions')
    return parse_runner_args(parser)


def with_model(model_cfg: Config, benchmark_cfg: Config) -> Config:
    """A model config whose test / val data come from a benchmark config.

    Of the model config only the model and the runtime are kept
    (:data:`MODEL_KEYS`); the benchmark's dataloaders and evaluators are
    added with the loops they need; a ``processor`` of the
    model config (the tokenizer and processor directory of its checkpoint)
    wins over the benchmark's default; a benchmark's ``generation_cfg``
    (e.g. the 256 new tokens of the reference's ``infer_general.py``)
    updates the model's.

    Args:
        model_cfg (Config): The config of the model (and runtime).
        benchmark_cfg (Config): A config of ``configs/benchmarks/``.

    Returns:
        Config: The test config.
    """
    model_cfg = Config({k: model_cfg[k]
                        for k in MODEL_KEYS if k in model_cfg},
                       filename=model_cfg.filename)
    for key in BENCHMARK_KEYS:
        if key in benchmark_cfg:
            model_cfg[key] = benchmark_cfg[key]
    for split, loop in (('test', 'TestLoop'), ('val', 'ValLoop')):
        if f'{split}_dataloader' in model_cfg and \
                model_cfg.get(f'{split}_cfg') is None:
            model_cfg[f'{split}_cfg'] = dict(type=loop)
    if 'processor' not in model_cfg and 'processor' in benchmark_cfg:
        model_cfg.processor = benchmark_cfg.processor
    if benchmark_cfg.get('generation_cfg'):
        model_cfg.model.generation_cfg = dict(
            model_cfg.model.get('generation_cfg') or {},
            **benchmark_cfg.generation_cfg)
    return model_cfg


def apply_processor(cfg: Config) -> None:
    """Points every test / val pipeline step with a ``processor``, and the
    model's ``processor`` (which decodes answers) unless set, to the
    config's top-level ``processor``, if it has one."""
    processor = cfg.get('processor')
    if processor is not None and cfg.model.get('processor') is None:
        cfg.model.processor = processor
    if processor is None:
        return
    for key in ('test_dataloader', 'val_dataloader'):
        dataset = (cfg.get(key) or {}).get('dataset') or {}
        for step in dataset.get('pipeline') or []:
            if 'processor' in step:
                step['processor'] = processor


def official_model(cfg: Config, ckpt_dir: str,
                   sam2_config: Optional[str]) -> None:
    """Replaces the config's architecture by an official checkpoint's.

    The data preprocessor and generation settings of the config are kept.
    The model is built in the checkpoint's ``torch_dtype`` under the
    ``'reference'`` precision policy unless the config's model (e.g.
    ``--cfg-options model.precision=sam2_float32 model.dtype=float32``)
    says otherwise.

    Args:
        cfg (Config): The full config.
        ckpt_dir (str): The official checkpoint directory.
        sam2_config (str, optional): Its SAM2 yaml, if not resolvable from
            its ``config.json``.
    """
    official = official_model_cfg(
        ckpt_dir,
        sam2_config,
        dtype=cfg.model.get('dtype'),
        precision=cfg.model.get('precision') or OFFICIAL_PRECISION)
    cfg.model = ConfigDict({**cfg.model, **official})
    cfg.load_from = None


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Applies the command-line options to the config.

    Args:
        cfg (Config): The config read from the file.
        args (argparse.Namespace): The parsed command line.

    Returns:
        Config: The same config, updated.
    """
    apply_runner_args(cfg, args)
    # loaded strictly by main() once the runner is built
    cfg.load_from = None
    if osp.isdir(args.checkpoint):
        official_model(cfg, args.checkpoint, args.sam2_config)
    apply_processor(cfg)

    if args.show_dir:
        if 'visualization' not in cfg.get('default_hooks', {}):
            raise ValueError('--show-dir needs a visualization hook: set '
                             'default_hooks.visualization in the config')
        cfg.default_hooks.visualization.enable = True
        cfg.default_hooks.visualization.out_dir = args.show_dir
    return cfg


class AtomicDumpResults(DumpResults):
    """:class:`~mmengine.evaluator.DumpResults` that writes the file
    atomically: a kill or a full disk never leaves a partial ``--out``."""

    def compute_metrics(self, results: list) -> dict:
        """Dumps ``results`` to ``out_file_path``; no metrics."""
        with fileio.atomic_path(self.out_file_path) as tmp:
            dump(results, tmp, file_format='pkl')
        print_log(
            f'Results have been saved to {self.out_file_path}.',
            logger='current')
        return {}


def check_args(args: argparse.Namespace) -> None:
    """Checks the command line's files and outputs before any work; a hub
    id of the checkpoint becomes its folder in the Hugging Face cache
    (downloaded once).

    Raises:
        FileNotFoundError: When the config or the checkpoint is missing (a
            hub id neither cached nor downloadable).
        ValueError: When the checkpoint is truncated or ``--out`` is not a
            pickle file.
        OSError: When the folder of ``--out`` cannot be written.
    """
    for config in (args.config, args.model_config):
        if config is not None and not osp.isfile(config):
            raise FileNotFoundError(f'No config file "{config}"')
    args.checkpoint = resolve_model_path(args.checkpoint)
    if not osp.exists(args.checkpoint):
        raise FileNotFoundError(f'No checkpoint "{args.checkpoint}"')
    if not osp.isdir(args.checkpoint) and not is_readable_checkpoint(
            args.checkpoint):
        raise ValueError(f'The checkpoint "{args.checkpoint}" is truncated '
                         'or not a torch checkpoint')
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must be a .pkl or .pickle file')
        fileio.check_writable_dir(osp.dirname(osp.abspath(args.out)))
        if fileio.is_read_only(args.out):
            raise PermissionError(f'--out "{args.out}" is read-only')


def test(args: argparse.Namespace) -> dict:
    """Builds the runner from the config and tests the checkpoint.

    Returns:
        dict: The metrics of the test loop.
    """
    check_args(args)
    # the Runner sets the default scope from the config
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    if args.model_config is not None:
        cfg = with_model(Config.fromfile(args.model_config), cfg)
        if cfg.get('work_dir') is None and args.work_dir is None:
            # named after the benchmark, not the model config
            args.work_dir = osp.join(
                './work_dirs',
                osp.splitext(osp.basename(args.model_config))[0],
                osp.splitext(osp.basename(args.config))[0])
    cfg = merge_args(cfg, args)
    fileio.check_writable_dir(cfg.work_dir)
    runner = build_runner(cfg)
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    load_checkpoint_strict(model, args.checkpoint)
    if args.out is not None:
        runner.test_evaluator.metrics.append(
            AtomicDumpResults(out_file_path=args.out))
    return runner.test()


def main() -> None:
    """Tests; an error is one line and exit status 2 unless ``--debug``."""
    args = parse_args()
    with cli_errors(args.debug), closing_process_group():
        test(args)


if __name__ == '__main__':
    main()
