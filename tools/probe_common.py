"""What the SyntheticShapes probes (``probe_sam2_selection.py``,
``probe_seg_readout.py``) share: their command line, the model and data
sets they build from a config, the object a sample names and their
validation output."""
import argparse
import json
import os.path as osp
import time
from typing import List, Tuple

from mmengine.config import Config
from runner_args import add_cfg_options
from torch import nn

from unipixel_mm.datasets.synthetic_shapes import COLOURS, SHAPES
from unipixel_mm.registry import MODELS
from unipixel_mm.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def probe_parser(description: str,
                 iters: int,
                 lr: float = 1e-3) -> argparse.ArgumentParser:
    """The options every probe takes; a probe adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        'config',
        nargs='?',
        default=osp.join(REPO, 'configs', 'unipixel_tiny_synthetic.py'))
    parser.add_argument('--iters', type=int, default=iters)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--lr', type=float, default=lr)
    parser.add_argument('--min-objects', type=int, default=2)
    parser.add_argument('--max-objects', type=int, default=3)
    parser.add_argument('--val-interval', type=int, default=100)
    parser.add_argument(
        '--val-clips', type=int, help='validate on the first N clips')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the validations as JSON')
    add_cfg_options(parser)
    parser.add_argument('--debug', action='store_true')
    return parser


def build_probe(cfg: Config,
                args: argparse.Namespace) -> Tuple[nn.Module, dict, dict]:
    """The config's model (initialised) and its training and validation
    data set configs, the training clips of ``--min-objects`` to
    ``--max-objects`` shapes with one sample per shape; ``--cfg-options``
    are merged into the config first.

    Raises:
        ValueError: When the config does not train on SyntheticShapes.
    """
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    train_cfg = cfg.train_dataloader.dataset
    if train_cfg.get('type') != 'SyntheticShapesDataset':
        raise ValueError(f'{args.config} does not train on '
                         f"SyntheticShapesDataset but {train_cfg.get('type')}")
    register_all_modules(init_default_scope=True)
    model = MODELS.build(cfg.model)
    model.init_weights()
    train_cfg.update(
        sample_per_object=True,
        min_objects=args.min_objects,
        max_objects=args.max_objects)
    # the probes read the <|seg|> of the given answer, generate none
    val_cfg = dict(cfg.val_dataloader.dataset, test_mode=False)
    if args.val_clips:
        val_cfg.update(num_samples=args.val_clips)
    return model, train_cfg, val_cfg


def named_object(dataset, idx: int) -> Tuple[dict, Tuple[int, int], list]:
    """Sample ``idx`` of a one-turn-per-sample data set (its record before
    the pipeline), the (colour, shape) ids of the object it names and the
    colours of its clip.

    Raises:
        ValueError: When the sample does not name exactly one object.
    """
    info = dataset.get_data_info(idx)
    turns = info['turns']
    if len(turns) != 1 or len(turns[0]['obj_inds']) != 1:
        raise ValueError(f'sample {idx} names {len(turns)} turns; the probe '
                         'needs one named object a sample '
                         '(sample_per_object=True)')
    obj = info['objects'][turns[0]['obj_inds'][0]]
    ids = (list(COLOURS).index(obj['colour']), SHAPES.index(obj['shape']))
    return info, ids, [o['colour'] for o in info['objects']]


def report(rows: List[dict], it: int, loss: float, start: float,
           metrics: dict) -> None:
    """Prints the validation of iteration ``it`` as one JSON line and
    appends it to ``rows``; ``start`` is the ``perf_counter`` of the
    training's start."""
    row = dict(
        iter=it,
        loss=round(loss, 4),
        seconds=round(time.perf_counter() - start, 1))
    row.update(metrics)
    print(json.dumps(row), flush=True)
    rows.append(row)


def save(args: argparse.Namespace, rows: List[dict]) -> None:
    """Writes the arguments and the validations to ``--out``, if given."""
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(args=vars(args), validations=rows), f, indent=1)
