"""The command-line options that ``tools/train.py`` and ``tools/test.py``
share: the work directory, config overrides, the launcher and the error
display."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction


def add_cfg_options(parser: argparse.ArgumentParser) -> None:
    """Adds ``--cfg-options`` (``key=value`` overrides of the config, as a
    dict in ``args.cfg_options``) to a tool's parser."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')


def parse_runner_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Adds ``--work-dir``, ``--cfg-options``, ``--launcher``,
    ``--local-rank`` and ``--debug`` to a tool's parser and parses the
    command line.

    ``LOCAL_RANK`` is set from ``--local-rank`` (which
    ``torch.distributed.launch`` passes) unless torchrun has set it.

    Args:
        parser (argparse.ArgumentParser): The tool's own options.

    Returns:
        argparse.Namespace: The parsed command line.
    """
    parser.add_argument(
        '--work-dir',
        help='the directory of logs, metrics and checkpoints (default: the '
        "config's work_dir, else ./work_dirs/<config name>)")
    add_cfg_options(parser)
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of an error (else one line, exit status 2)')
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def apply_runner_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Applies the shared options to the config read from ``args.config``.

    Sets the launcher, merges ``--cfg-options`` and sets the work directory:
    ``--work-dir``, else the config's, else ``./work_dirs/<config name>``.

    Args:
        cfg (Config): The config read from the file.
        args (argparse.Namespace): A command line parsed by
            :func:`parse_runner_args`.

    Returns:
        Config: The same config, updated.
    """
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg
