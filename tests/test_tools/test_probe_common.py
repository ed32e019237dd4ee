"""tools/probe_common.py: what the SyntheticShapes probes share."""
import os.path as osp

import pytest
from mmengine.config import Config
from tool_module import ROOT, load_tool


@pytest.mark.parametrize('name',
                         ['probe_sam2_selection', 'probe_seg_readout'])
def test_a_config_without_synthetic_shapes_is_refused(capsys, name):
    probe = load_tool(name)
    with pytest.raises(SystemExit) as exit_info:
        probe.main([osp.join(ROOT, 'configs', 'unipixel_tiny_custom.py')])
    assert exit_info.value.code == 2
    assert 'does not train on SyntheticShapesDataset' in \
        capsys.readouterr().err


def test_cfg_options_reach_the_probed_model():
    common = load_tool('probe_common')
    args = common.probe_parser('probe', iters=1).parse_args([
        '--cfg-options',
        'model.mask_decoder.sam2_config.image_encoder.trunk.embed_dim=32',
        'model.mask_decoder.sam2_config.image_encoder.neck.'
        'backbone_channel_list=[256,128,64,32]',
        # the shipped weights are those of the narrower trunk
        'model.mask_decoder.checkpoint=None'
    ])
    model, train_cfg, _ = common.build_probe(
        Config.fromfile(args.config), args)
    trunk = model.mask_decoder.sam2.image_encoder.trunk
    assert trunk.patch_embed.proj.out_channels == 32
    assert trunk.channel_list == [256, 128, 64, 32]
    assert train_cfg.sample_per_object
