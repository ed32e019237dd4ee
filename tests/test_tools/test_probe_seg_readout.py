"""tools/probe_seg_readout.py: the named object read out of the <|seg|>
hidden state."""
import json

import pytest
import torch
from tool_module import load_tool


def test_trains_the_llm_and_validates_the_readout(tmp_path):
    probe = load_tool('probe_seg_readout')
    out = tmp_path / 'readout.json'
    args = probe.parse_args([
        '--iters', '2', '--batch-size', '2', '--val-interval', '1',
        '--val-clips', '3', '--out',
        str(out)
    ])
    rows = probe.probe_readout(args)
    assert [r['iter'] for r in rows] == [1, 2]
    assert json.loads(out.read_text())['validations'] == rows
    for row in rows:
        for key in ('readout/colour', 'readout/shape'):
            assert 0 <= row[key] <= 100


def test_labels_and_hidden_states_are_the_named_objects(tmp_path):
    probe = load_tool('probe_seg_readout')
    args = probe.parse_args(['--val-clips', '2'])
    model, readout, _, val_set = probe.build(
        probe.Config.fromfile(args.config), args)
    info = val_set.get_data_info(0)
    obj = info['objects'][info['turns'][0]['obj_inds'][0]]
    colour, shape = probe.named_labels(val_set, 0)
    assert probe.ATTRIBUTES['colour'][colour] == obj['colour']
    assert probe.ATTRIBUTES['shape'][shape] == obj['shape']
    hidden = probe.seg_hidden(model, val_set, [0, 1])
    assert hidden.shape == (2, model.llm.config.hidden_size)
    # frozen: the read-outs alone train
    readout_ids = {id(p) for p in readout.parameters()}
    frozen = probe.trained_params(model, readout, freeze_llm=True)
    assert {id(p) for p in frozen} == readout_ids
    full = {id(p) for p in probe.trained_params(model, readout, False)}
    assert {id(p) for p in model.llm.parameters()} <= full
    assert readout_ids <= full


def test_hidden_state_trains_the_llm_and_accuracy_counts_hits():
    probe = load_tool('probe_seg_readout')
    args = probe.parse_args(['--val-clips', '3'])
    model, readout, _, val_set = probe.build(
        probe.Config.fromfile(args.config), args)
    hidden = probe.seg_hidden(model, val_set, [0])
    hidden.sum().backward()
    # the hidden state depends on the LLM: its weights get gradients
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.llm.parameters())
    # read-outs that always answer the first colour / the first shape
    with torch.no_grad():
        for head in readout.values():
            head.weight.zero_()
            head.bias.zero_()
            head.bias[0] = 1
    labels = [probe.named_labels(val_set, i) for i in range(len(val_set))]
    metrics = probe.validate(model, readout, val_set, batch_size=2)
    for k, name in enumerate(('colour', 'shape')):
        share = 100 * sum(row[k] == 0 for row in labels) / len(labels)
        assert metrics[f'readout/{name}'] == pytest.approx(share, abs=0.01)
