"""The command-line options that ``tools/train.py`` and ``tools/test.py``
share: config overrides, the launcher and the error display."""
import argparse
import os

from mmengine.config import DictAction


def parse_runner_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Adds ``--cfg-options``, ``--launcher``, ``--local-rank`` and
    ``--debug`` to a tool's parser and parses the command line.

    ``LOCAL_RANK`` is set from ``--local-rank`` (which
    ``torch.distributed.launch`` passes) unless torchrun has set it.

    Args:
        parser (argparse.ArgumentParser): The tool's own options.

    Returns:
        argparse.Namespace: The parsed command line.
    """
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
