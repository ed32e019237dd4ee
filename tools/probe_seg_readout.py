"""Probe: can the LLM carry the named object into the hidden state that
prompts SAM2?

Trains the vision tokenizer and the LLM of a SyntheticShapes config's model
with two linear read-outs, the named object's colour and its shape, of the
pre-norm hidden state at the position that predicts each ``<|seg|>`` (the
state the model's seg head turns into SAM2's prompt), with a cross-entropy
loss instead of the mask loss. Validation reports the read-out accuracy of
colour and shape on the config's validation samples. ``--freeze-llm``
trains the read-outs alone on the initial LLM: what the hidden state holds
before any training. With :mod:`probe_sam2_selection` (SAM2 alone, on a
clean prompt) it splits the language-following problem into its two
halves.

    python tools/probe_seg_readout.py [configs/unipixel_tiny_synthetic.py]
        [--iters 300] [--freeze-llm] [--out readout.json]
"""
import time
from typing import Dict, List, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from probe_common import build_probe, named_object, probe_parser, report, save

from unipixel_mm.apis.errors import cli_errors
from unipixel_mm.datasets import unipixel_collate
from unipixel_mm.datasets.synthetic_shapes import COLOURS, SHAPES
from unipixel_mm.registry import DATASETS

ATTRIBUTES = dict(colour=list(COLOURS), shape=list(SHAPES))


def named_labels(dataset, idx: int) -> List[int]:
    """[colour id, shape id] of the object sample ``idx`` names."""
    return list(named_object(dataset, idx)[1])


def seg_hidden(model, dataset, indices: Sequence[int]) -> torch.Tensor:
    """(N, D) pre-norm hidden states predicting the first ``<|seg|>`` of
    each sample."""
    batch = unipixel_collate([dataset[i] for i in indices])
    data = model.data_preprocessor(batch, model.training)
    out, _ = model.prefill(data['inputs'], data['data_samples'])
    ids = data['inputs']['input_ids']
    rows = []
    for b in range(ids.size(0)):
        positions = model._seg_positions(ids[b])
        if not positions.numel():
            raise ValueError(f'sample {indices[b]} has no <|seg|> token')
        rows.append(out.hidden_states[b, positions[0]])
    return torch.stack(rows)


@torch.no_grad()
def validate(model, readout: nn.ModuleDict, dataset,
             batch_size: int) -> Dict[str, float]:
    """Read-out accuracy (percent) of colour and shape."""
    model.eval()
    hits = {k: [] for k in ATTRIBUTES}
    for start in range(0, len(dataset), batch_size):
        indices = list(range(start, min(start + batch_size, len(dataset))))
        hidden = seg_hidden(model, dataset, indices)
        labels = torch.tensor([named_labels(dataset, i) for i in indices])
        for k, (name, head) in enumerate(readout.items()):
            hits[name] += (head(hidden).argmax(-1) == labels[:, k]).tolist()
    model.train()
    return {
        f'readout/{name}': round(100 * float(np.mean(h)), 2)
        for name, h in hits.items()
    }


def build(cfg: Config, args):
    """The model, the read-outs and the training / validation sets."""
    model, train_cfg, val_cfg = build_probe(cfg, args)
    model.train()
    dim = model.llm.config.hidden_size
    readout = nn.ModuleDict(
        {k: nn.Linear(dim, len(v))
         for k, v in ATTRIBUTES.items()})
    return model, readout, DATASETS.build(train_cfg), DATASETS.build(val_cfg)


def trained_params(model, readout: nn.ModuleDict,
                   freeze_llm: bool) -> List[nn.Parameter]:
    """The read-outs' parameters, and unless ``freeze_llm`` those of the
    vision tokenizer and the LLM."""
    params = list(readout.parameters())
    if not freeze_llm:
        params += list(model.vision_tokenizer.parameters()) + list(
            model.llm.parameters())
    return params


def probe_readout(args) -> List[dict]:
    """Trains and validates; returns one row per validation."""
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    model, readout, train_set, val_set = build(
        Config.fromfile(args.config), args)
    params = trained_params(model, readout, args.freeze_llm)
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    rng = np.random.default_rng(args.seed)
    rows, start = [], time.perf_counter()
    for it in range(1, args.iters + 1):
        indices = rng.integers(len(train_set), size=args.batch_size).tolist()
        labels = torch.tensor([named_labels(train_set, i) for i in indices])
        with torch.set_grad_enabled(not args.freeze_llm):
            hidden = seg_hidden(model, train_set, indices)
        loss = sum(
            F.cross_entropy(head(hidden), labels[:, k])
            for k, head in enumerate(readout.values()))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if it % args.val_interval == 0 or it == args.iters:
            report(rows, it, loss.item(), start,
                   validate(model, readout, val_set, args.batch_size))
    save(args, rows)
    return rows


def parse_args(argv: Sequence[str] = None):
    parser = probe_parser(__doc__.split('\n\n')[0], iters=300)
    parser.add_argument(
        '--freeze-llm',
        action='store_true',
        help='train the read-outs alone, on the initial LLM')
    return parser.parse_args(argv)


def main(argv: Sequence[str] = None) -> None:
    args = parse_args(argv)
    with cli_errors(args.debug):
        probe_readout(args)


if __name__ == '__main__':
    main()
