"""The tiny official-format checkpoint of the evaluation parity harness.

It is the shared parity fixture's checkpoint (random weights, official key
names) with its tokenizer and processor (:func:`build_tiny_processor`) and
short greedy answers built into the weights: the embedding of each token of
a chain gets a large component along its own direction and the output row
of its successor the same direction. After a chat prompt (last token
``"\\n"``) greedy decoding writes ``" It is<|seg|>."`` and stops, whatever
the images and question, and the ``<|seg|>`` mask is really decoded (from
the frames and the hidden state of ``" is"``); after the multiple-choice
prompt's ``"Best Option: ("`` it writes ``"B)"``.
"""
import os
import os.path as osp
import shutil
from typing import List

import torch

#: The answers the weights encode, as text pieces of the tiny tokenizer
#: (the first of each is the last token of a prompt).
CHAINS = [['\n', ' It', ' is', '<|seg|>', '.', '<|im_end|>'],
          [' (', 'B', ')', '<|im_end|>']]
#: Length of a chain token's embedding and weight of its successor's row.
EMBED_SCALE = 6.0
HEAD_SCALE = 2.0


def chain_ids(tokenizer, chain: List[str]) -> List[int]:
    """The token ids of a chain; each piece must be one token."""
    ids = []
    for piece in chain:
        tokens = tokenizer.encode(piece, add_special_tokens=False)
        if len(tokens) != 1:
            raise ValueError(f'{piece!r} is {len(tokens)} tokens in the tiny '
                             'tokenizer, expected one')
        ids.append(tokens[0])
    return ids


def build_parity_checkpoint(source: str, out_dir: str, seed: int = 0) -> str:
    """Writes the harness checkpoint.

    Args:
        source (str): An official-format checkpoint directory with a single
            float32 ``model.safetensors`` (the shared parity fixture's).
        out_dir (str): Directory to write (replaced).
        seed (int): Seed of the chain's directions.

    Returns:
        str: ``out_dir``.
    """
    from safetensors.torch import load_file, save_file

    from unipixel_mm.datasets import build_tiny_processor

    if osp.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    for name in ('config.json', 'generation_config.json'):
        shutil.copy(osp.join(source, name), out_dir)
    processor, _ = build_tiny_processor(out_dir)
    chains = [chain_ids(processor.tokenizer, c) for c in CHAINS]
    steps = [(a, b) for ids in chains for a, b in zip(ids[:-1], ids[1:])]
    if len({a for a, _ in steps}) != len(steps):
        raise ValueError('a token starts two chain steps')

    state = load_file(osp.join(source, 'model.safetensors'))
    embed = state['model.embed_tokens.weight']
    head = state['lm_head.weight']
    gen = torch.Generator().manual_seed(seed)
    # orthonormal directions: no chain step leaks into another's logit
    dirs, _ = torch.linalg.qr(
        torch.randn(embed.size(1), len(steps), generator=gen))
    dirs = dirs.T.to(embed.dtype)
    for i, (token, successor) in enumerate(steps):
        embed[token] += EMBED_SCALE * dirs[i]
        head[successor] += HEAD_SCALE * dirs[i]
    save_file(state, osp.join(out_dir, 'model.safetensors'),
              metadata=dict(format='pt'))
    return out_dir
