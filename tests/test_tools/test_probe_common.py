"""tools/probe_common.py: what the SyntheticShapes probes share."""
import os.path as osp

import pytest
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
