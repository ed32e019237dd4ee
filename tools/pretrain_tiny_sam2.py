"""Pretrains the tiny config's SAM2 on SyntheticShapes and saves it as a
``sam2`` checkpoint: the weights the tiny default's SAM2 starts from, as
the real model's starts from SAM2.1.

SAM2 trains alone from random weights, each ``<|seg|>`` prompt a learned
embedding of the named colour and shape (as in
``probe_sam2_selection.py``), on the config's training clips of two or
three shapes with one sample per shape, and is validated on the config's
validation clips. The file holds ``model``, SAM2's state dict (what
``SAM2Decoder(checkpoint=...)`` loads), ``name_prompt``, the state dict of
the name embedding (for checks), and ``meta``, the arguments and
validations. In the tiny default the LLM learns to give prompts that this
SAM2 answers to.

    python tools/pretrain_tiny_sam2.py [configs/unipixel_tiny_synthetic.py]
        [--iters 2000] [--save checkpoints/tiny_sam2_shapes.pt]
"""
import os
import os.path as osp
from typing import List, Sequence

import torch
from probe_common import REPO
from probe_sam2_selection import selection_parser, train_selection

from unipixel_mm.apis.errors import cli_errors
from unipixel_mm.fileio import atomic_path

CHECKPOINT = osp.join(REPO, 'checkpoints', 'tiny_sam2_shapes.pt')


def parse_args(argv: Sequence[str] = None):
    parser = selection_parser(
        __doc__.split('\n\n')[0], iters=2000, lr=3e-4)
    parser.add_argument(
        '--save',
        default=CHECKPOINT,
        help='the sam2 checkpoint to write (replaced only when training '
        'ends)')
    return parser.parse_args(argv)


def portable_args(args) -> dict:
    """The arguments, with the paths inside the repository made relative
    to it (the file is shipped)."""
    out = dict(vars(args))
    for key in ('config', 'save', 'out'):
        path = out.get(key)
        if path and osp.abspath(path).startswith(REPO + os.sep):
            out[key] = osp.relpath(osp.abspath(path), REPO)
    return out


def pretrain(args) -> List[dict]:
    """Trains, validates and saves; returns one row per validation."""
    decoder, name_prompt, rows = train_selection(args)
    meta = dict(args=portable_args(args), validations=rows)
    os.makedirs(osp.dirname(osp.abspath(args.save)), exist_ok=True)
    with atomic_path(osp.abspath(args.save)) as tmp:
        torch.save(
            dict(
                model=decoder.sam2.state_dict(),
                name_prompt=name_prompt.state_dict(),
                meta=meta), tmp)
    print(f'saved {args.save}', flush=True)
    return rows


def main(argv: Sequence[str] = None) -> None:
    args = parse_args(argv)
    with cli_errors(args.debug):
        pretrain(args)


if __name__ == '__main__':
    main()
