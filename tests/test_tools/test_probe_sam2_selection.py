"""tools/probe_sam2_selection.py: SAM2 trained alone on a clean prompt."""
import json

import pytest
from tool_module import load_tool


def test_trains_and_validates_as_the_config(tmp_path):
    probe = load_tool('probe_sam2_selection')
    out = tmp_path / 'probe.json'
    args = probe.parse_args([
        '--iters', '2', '--batch-size', '1', '--val-interval', '1',
        '--val-clips', '3', '--multimask', 'off', '--single-object-iters',
        '1', '--out',
        str(out)
    ])
    rows = probe.probe_selection(args)
    assert [r['iter'] for r in rows] == [1, 2]
    saved = json.loads(out.read_text())
    assert saved['validations'] == rows
    for row in rows:
        # the config's evaluator: mask IoU and text swap
        for key in ('mask/mIoU', 'text_swap/accuracy',
                    'text_swap/pick_accuracy'):
            assert 0 <= row[key] <= 100
        # the split covers the paired samples the text-swap pick counts
        counts = {
            k: row[f'pick_samples/{k}']
            for k in ('unique_colour', 'shared_colour')
        }
        total = sum(counts.values())
        assert total > 0
        mean = sum(row.get(f'pick_accuracy/{k}', 0) * n
                   for k, n in counts.items()) / total
        assert mean == pytest.approx(
            row['text_swap/pick_accuracy'], abs=0.02)
