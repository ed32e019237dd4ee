"""The benchmark scripts run and write their tables (no timing asserted)."""
import json
import os.path as osp
import subprocess
import sys

import pytest
from tool_module import ROOT


@pytest.mark.parametrize('script,args,rows', [
    ('sam2_objects.py', ['--frames', '2', '--objects', '1', '2'], 2),
    ('generation.py', ['--new-tokens', '2', '--frames', '2'], 2),
    ('train_step.py', ['--frames', '2', '--objects', '2'], 2),
])
def test_benchmark_script(tmp_path, script, args, rows):
    out = str(tmp_path / 'result.json')
    proc = subprocess.run(
        [
            sys.executable,
            osp.join(ROOT, 'benchmarks', script), '--repeats', '1', '--out',
            out, *args
        ],
        capture_output=True,
        text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(out) as f:
        result = json.load(f)
    assert len(result['rows']) == rows
    assert result['machine']
    assert 'speedup' in result['rows'][-1]


def test_stream_benchmark_script(tmp_path):
    """Latency and memory columns of a short stream (values not timed)."""
    out = str(tmp_path / 'result.json')
    proc = subprocess.run(
        [
            sys.executable,
            osp.join(ROOT, 'benchmarks', 'stream.py'), '--frames', '20',
            '--objects', '1', '2', '--out', out
        ],
        capture_output=True,
        text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(out) as f:
        rows = json.load(f)['rows']
    assert [row['objects'] for row in rows] == [1, 2]
    for row in rows:
        assert row['frames'] == 20 and row['fps'] > 0
        assert row['early_ms'] > 0 and row['late_ms'] > 0
        assert row['rss_mb_last'] > 0
    # two objects hold a larger memory bank than one
    assert rows[1]['state_kb_last'] > rows[0]['state_kb_last']


def test_reference_case_our_side():
    """Our side of a case of ``vs_reference.py``: the masklets of the
    prompt's ``<|seg|>`` tokens come out (checked by the script), with the
    time of each SAM2 component and the peak RSS (values not timed)."""
    proc = subprocess.run(
        [
            sys.executable,
            osp.join(ROOT, 'benchmarks', 'reference_case.py'), 'ours',
            '--fixture',
            osp.join(ROOT, 'tests', 'data', 'parity', 'upstream_tiny'),
            '--mode', 'decode', '--frames', '2', '--objects', '2',
            '--repeats', '1', '--threads', '1', '--profile'
        ],
        capture_output=True,
        text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (result['side'], result['objects']) == ('ours', 2)
    parts = result['components_ms']
    for name in ('vision tokenizer', 'LLM', 'SAM2 image encoder',
                 'memory attention', 'memory encoder', 'mask decoder'):
        assert parts[name] > 0, name
    # the components run inside the timed call
    assert sum(parts.values()) <= result['ms']
    assert result['peak_rss_mib'] >= result['run_rss_mib'] > 0
