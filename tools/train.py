"""Train a UniPixel model with mmengine's Runner, or its FlexibleRunner
when the config sets ``runner_type`` (the DeepSpeed and FSDP configs of
``configs/strategies/``).

Examples:
    python tools/train.py configs/unipixel_tiny_synthetic.py
    torchrun --nproc_per_node 8 tools/train.py configs/unipixel_7b.py \
        --launcher pytorch
    torchrun --nproc_per_node 8 tools/train.py \
        configs/strategies/unipixel_7b_deepspeed_zero3.py --launcher pytorch

Without CUDA a distributed launch trains on the CPUs with the gloo backend
(see :func:`unipixel_mm.engine.setup_cpu_distributed`). Launching on several
machines, with Slurm or DeepSpeed's launcher: docs/distributed_training.md.
"""
import argparse
import os.path as osp

from mmengine.config import Config
from mmengine.logging import print_log
from runner_args import apply_runner_args, parse_runner_args

from unipixel_mm.apis.errors import cli_errors
from unipixel_mm.engine import build_runner, closing_process_group
from unipixel_mm.fileio import check_writable_dir
from unipixel_mm.utils import register_all_modules


def parse_args() -> argparse.Namespace:
    """Parses the command line."""
    parser = argparse.ArgumentParser(description='Train a UniPixel model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or without a path from the '
        'latest checkpoint in the work directory')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='train with automatic mixed precision (bf16 unless the config '
        'sets optim_wrapper.dtype)')
    return parse_runner_args(parser)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Applies the command-line options to the config.

    Args:
        cfg (Config): The config read from the file.
        args (argparse.Namespace): The parsed command line.

    Returns:
        Config: The same config, updated.
    """
    apply_runner_args(cfg, args)

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper == 'AmpOptimWrapper':
            print_log(
                'AMP training is already enabled in your config.',
                logger='current')
        elif optim_wrapper != 'OptimWrapper':
            raise ValueError('--amp needs optim_wrapper.type="OptimWrapper", '
                             f'got "{optim_wrapper}"')
        else:
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('dtype', 'bfloat16')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def check_args(args: argparse.Namespace) -> None:
    """Checks the files of the command line before any work.

    Raises:
        FileNotFoundError: When the config is missing.
    """
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'No config file "{args.config}"')


def train(args: argparse.Namespace) -> None:
    """Builds the runner from the config and trains."""
    check_args(args)
    # the Runner sets the default scope from the config
    register_all_modules(init_default_scope=False)
    cfg = merge_args(Config.fromfile(args.config), args)
    check_writable_dir(cfg.work_dir)
    # a resumed run's checkpoint is checked before the model is built
    runner = build_runner(cfg)
    runner.train()


def main() -> None:
    """Trains; an error is one line and exit status 2 unless ``--debug``.

    The run happens in :func:`train`, so that the Runner is garbage when
    the process group is closed (see ``closing_process_group``).
    """
    args = parse_args()
    with cli_errors(args.debug), closing_process_group():
        train(args)


if __name__ == '__main__':
    main()
