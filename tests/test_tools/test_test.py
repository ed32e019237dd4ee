"""tools/test.py on a checkpoint of the tiny config."""
import os.path as osp
import re
from collections import Counter

import mmengine
import pytest

#: the tiny config's <|seg|> id
SEG_TOKEN_ID = 251


def test_test_tool_evaluates_and_dumps(tiny_run, tmp_path, tiny_cfg_path,
                                       processor_options, run_tool,
                                       read_scalars):
    out = str(tmp_path / 'preds.pkl')
    output = run_tool(
        'test', [
            tiny_cfg_path,
            osp.join(tiny_run, 'iter_20.pth'), '--work-dir',
            str(tmp_path), '--out', out, '--cfg-options',
            'test_dataloader.dataset.num_samples=8'
        ] + processor_options,
        cwd=str(tmp_path))
    # the test set is the run's validation set (same samples and prompts)
    iou = float(re.search(r'Iter\(test\).*mask/mIoU: ([\d.]+)', output)[1])
    val = [s for s in read_scalars(tiny_run) if 'mask/mIoU' in s]
    assert val[-1]['step'] == 20
    assert iou == pytest.approx(val[-1]['mask/mIoU'], abs=1e-4)

    assert 'text_swap/accuracy' in output

    preds = mmengine.load(out)
    # 8 clips of 2 or 3 shapes, a sample per shape
    shapes = Counter(pred['video_id'] for pred in preds)
    assert len(shapes) == 8 and set(shapes.values()) <= {2, 3}
    for pred in preds:
        # the answer is generated: a masklet per <|seg|> it holds (after 20
        # iterations not every answer holds one), at the frames' size
        masks, gt = pred['pred_masks'], pred['gt_masks_ori']
        assert len(masks) == (pred['pred_ids'] == SEG_TOKEN_ID).sum()
        assert all(m.shape == gt[:, 0].shape for m in masks)
    assert any(len(pred['pred_masks']) for pred in preds)


def test_with_model_keeps_the_model_and_runtime_only():
    """A training config given as --model-config: its data mixture,
    optimizer and schedule are left out of the test config."""
    from mmengine.config import Config
    from tool_module import ROOT as root
    from tool_module import load_tool
    tool = load_tool('test')
    model_cfg = Config.fromfile(osp.join(root, 'configs', 'unipixel_3b.py'))
    bench = Config.fromfile(
        osp.join(root, 'configs', 'benchmarks', 'refcoco_val.py'))
    cfg = tool.with_model(model_cfg, bench)
    assert set(cfg) <= set(tool.MODEL_KEYS + tool.BENCHMARK_KEYS +
                           ('test_cfg', 'val_cfg'))
    assert 'train_dataloader' not in cfg and 'optim_wrapper' not in cfg
    assert cfg.model == model_cfg.model
    assert cfg.test_dataloader == bench.test_dataloader
    assert cfg.test_cfg == dict(type='TestLoop')
    assert cfg.default_hooks == model_cfg.default_hooks
