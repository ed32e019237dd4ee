"""tools/pretrain_tiny_sam2.py: the tiny default's SAM2 weights."""
import os
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from tool_module import ROOT, load_tool

from unipixel_mm.registry import MODELS

CONFIG = osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py')


def test_saves_a_sam2_checkpoint_the_decoder_loads(tmp_path):
    tool = load_tool('pretrain_tiny_sam2')
    save = tmp_path / 'out' / 'sam2.pt'
    args = tool.parse_args([
        '--iters', '2', '--batch-size', '1', '--val-interval', '2',
        '--val-clips', '2', '--save',
        str(save)
    ])
    rows = tool.pretrain(args)
    assert [r['iter'] for r in rows] == [2]
    # nothing but the checkpoint is left in its folder
    assert os.listdir(save.parent) == ['sam2.pt']
    state = torch.load(save, map_location='cpu', weights_only=True)
    assert state['meta']['validations'] == rows
    # paths inside the repository are stored relative to it
    assert state['meta']['args']['config'] == osp.join(
        'configs', 'unipixel_tiny_synthetic.py')
    assert set(state['name_prompt']) >= {'colour.weight', 'shape.weight'}

    cfg = Config.fromfile(CONFIG)
    decoder = MODELS.build(dict(cfg.model.mask_decoder, checkpoint=str(save)))
    decoder.init_weights()
    loaded = decoder.sam2.state_dict()
    assert set(loaded) == set(state['model'])
    assert all(torch.equal(v, state['model'][k]) for k, v in loaded.items())
    # trained: the decoder the tool starts from (same seed) differs
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    start = load_tool('probe_sam2_selection').build(cfg, args)[0]
    initial = start.sam2.state_dict()
    changed = [k for k, v in loaded.items() if not torch.equal(v, initial[k])]
    assert 'sam_mask_decoder.output_hypernetworks_mlps.0.layers.0.weight' \
        in changed
    assert 'image_encoder.trunk.patch_embed.proj.weight' in changed
