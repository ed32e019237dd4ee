"""Probe: can the SAM2 decoder learn to pick the named shape from a clean
prompt?

Trains only the mask decoder of a SyntheticShapes config's model (its SAM2
and mask loss) with the prompt tokens of each ``<|seg|>`` given by a learned
embedding of the named object's colour and shape instead of by the LLM.
Validation is the config's own (its validation clips and evaluator: mask
IoU and text-swap accuracy), plus the pick accuracy split by whether the
named colour is unique in the clip (a colour alone tells the object) or
shared (only the shape does), with the number of samples of each. It
separates what SAM2 can learn from what the language path delivers, in a
fraction of the time of a full run.

    python tools/probe_sam2_selection.py [configs/unipixel_tiny_synthetic.py]
        [--iters 400] [--multimask off] [--single-object-iters 0]
        [--out probe.json]
"""
import math
import time
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from probe_common import build_probe, named_object, probe_parser, report, save

from unipixel_mm.apis.errors import cli_errors
from unipixel_mm.datasets.synthetic_shapes import COLOURS, SHAPES
from unipixel_mm.evaluation.metrics.text_swap import picked_object
from unipixel_mm.registry import DATASETS


class NamePrompt(nn.Module):
    """(colour, shape) ids -> (N, K, C) SAM2 prompt tokens."""

    def __init__(self, num_tokens: int, dim: int) -> None:
        super().__init__()
        self.num_tokens, self.dim = num_tokens, dim
        self.colour = nn.Embedding(len(COLOURS), dim)
        self.shape = nn.Embedding(len(SHAPES), dim)
        self.proj = nn.Sequential(
            nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, num_tokens * dim))

    def forward(self, colour: torch.Tensor,
                shape: torch.Tensor) -> torch.Tensor:
        tokens = self.proj(self.colour(colour) + self.shape(shape))
        return tokens.view(-1, self.num_tokens, self.dim)


def named_sample(dataset, idx: int) -> Tuple[dict, Tuple[int, int], list]:
    """The packed sample ``idx`` of a one-turn-per-sample data set, the
    (colour, shape) ids of its named object and the colours of its clip."""
    info, ids, colours = named_object(dataset, idx)
    return dataset.pipeline(info), ids, colours


def prompt_for(probe: NamePrompt, ids: Tuple[int, int]) -> torch.Tensor:
    return probe(torch.tensor([ids[0]]), torch.tensor([ids[1]]))


def train_step(decoder, loss_fn, probe: NamePrompt, dataset,
               rng: np.random.Generator, batch_size: int) -> torch.Tensor:
    """The mean mask loss of ``batch_size`` random samples."""
    total = 0
    for _ in range(batch_size):
        sample, ids, _ = named_sample(dataset,
                                      int(rng.integers(len(dataset))))
        data = sample['data_samples']
        outputs = decoder.loss_outputs(sample['inputs']['frames'],
                                       prompt_for(probe, ids),
                                       data.gt_obj_to_frame)
        total = total + sum(loss_fn(outputs, data.gt_masks).values())
    return total / batch_size


@torch.no_grad()
def validate(decoder, probe: NamePrompt, dataset,
             evaluator: Evaluator) -> Dict[str, float]:
    """The config's validation metrics and the split pick accuracy."""
    decoder.eval()
    clips: Dict[str, List[tuple]] = {}
    for idx in range(len(dataset)):
        sample, ids, colours = named_sample(dataset, idx)
        data = sample['data_samples']
        gt = data.gt_masks_ori.bool()
        masks, _ = decoder.predict(sample['inputs']['frames'],
                                   prompt_for(probe, ids), gt.shape[-2:])
        result = dict(
            pred_masks=[masks[0]], gt_masks_ori=gt, video_id=data.video_id)
        evaluator.process(data_samples=[result])
        unique = colours.count(list(COLOURS)[ids[0]]) == 1
        clips.setdefault(data.video_id, []).append(
            (gt[:, 0].numpy(), masks[0].numpy(), unique))
    decoder.train()
    metrics = evaluator.evaluate(len(dataset))
    picks = {True: [], False: []}
    for samples in clips.values():
        objects = [gt for gt, _, _ in samples]
        if len(objects) < 2:
            continue
        for k, (_, pred, unique) in enumerate(samples):
            picks[unique].append(picked_object(pred, objects) == k)
    for unique, name in ((True, 'unique_colour'), (False, 'shared_colour')):
        metrics[f'pick_samples/{name}'] = len(picks[unique])
        if picks[unique]:
            metrics[f'pick_accuracy/{name}'] = 100 * float(
                np.mean(picks[unique]))
    return {k: round(float(v), 2) for k, v in metrics.items()}


def build(cfg: Config, args):
    """The model's decoder (random weights) and loss, the data sets and the
    evaluator."""
    # SAM2 learns from random weights, not from the config's checkpoint
    cfg.model.mask_decoder.pop('checkpoint', None)
    model, train_cfg, val_cfg = build_probe(cfg, args)
    decoder, loss_fn = model.mask_decoder, model.mask_loss
    if decoder is None:
        raise ValueError(f'{args.config} builds a model without a mask '
                         'decoder')
    # trained here even where the config's train_cfg freezes it
    decoder.requires_grad_(True)
    if args.multimask == 'off':
        decoder.sam2.multimask_output_in_sam = False
        decoder.sam2.multimask_output_for_tracking = False
    sets = dict(train=DATASETS.build(train_cfg))
    if args.single_object_iters:
        sets['single'] = DATASETS.build(
            dict(train_cfg, min_objects=1, max_objects=1))
    sets['val'] = DATASETS.build(val_cfg)
    evaluator = Evaluator(cfg.val_evaluator)
    evaluator.dataset_meta = sets['val'].metainfo
    probe = NamePrompt(model.llm.num_seg_tokens, decoder.embed_dim)
    return decoder, loss_fn, probe, sets, evaluator


def selection_parser(description: str, iters: int, lr: float):
    """The probe's options; ``pretrain_tiny_sam2.py`` adds its own."""
    parser = probe_parser(description, iters=iters, lr=lr)
    parser.add_argument(
        '--multimask',
        choices=('config', 'off'),
        default='config',
        help="'off': one mask per prompt (no best-of-3 candidates)")
    parser.add_argument(
        '--single-object-iters',
        type=int,
        default=0,
        help='train the first N iterations on one-shape clips')
    return parser


def parse_args(argv: Sequence[str] = None):
    return selection_parser(
        __doc__.split('\n\n')[0], iters=400, lr=1e-3).parse_args(argv)


def probe_selection(args) -> List[dict]:
    """Trains and validates; returns one row per validation."""
    return train_selection(args)[2]


def train_selection(args) -> Tuple[nn.Module, NamePrompt, List[dict]]:
    """Trains and validates; returns the trained mask decoder and name
    prompt, and one row per validation."""
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    cfg = Config.fromfile(args.config)
    decoder, loss_fn, probe, sets, evaluator = build(cfg, args)
    params = list(decoder.parameters()) + list(probe.parameters())
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    warmup = min(10, args.iters)

    def factor(it: int) -> float:
        if it < warmup:
            return (it + 1) / warmup
        done = (it - warmup) / max(args.iters - warmup, 1)
        return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * done))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    rng = np.random.default_rng(args.seed)
    rows, start = [], time.perf_counter()
    decoder.train()
    for it in range(1, args.iters + 1):
        dataset = sets['single'] if it <= args.single_object_iters \
            else sets['train']
        loss = train_step(decoder, loss_fn, probe, dataset, rng,
                          args.batch_size)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        if it % args.val_interval == 0 or it == args.iters:
            report(rows, it, loss.item(), start,
                   validate(decoder, probe, sets['val'], evaluator))
    save(args, rows)
    return decoder, probe, rows


def main(argv: Sequence[str] = None) -> None:
    args = parse_args(argv)
    with cli_errors(args.debug):
        probe_selection(args)


if __name__ == '__main__':
    main()
