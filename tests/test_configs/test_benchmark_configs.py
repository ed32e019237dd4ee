"""The configs of configs/benchmarks/: data and evaluator of each."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from tool_module import ROOT, load_tool

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'benchmarks', '*.py')))


def metrics(evaluator) -> list:
    """The metric configs of an evaluator config (one or a list)."""
    return list(evaluator) if isinstance(evaluator, list) else [evaluator]


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_benchmark_config(path):
    cfg = Config.fromfile(path)
    for split in ('test', 'val'):
        loader = cfg[f'{split}_dataloader']
        assert loader.sampler.shuffle is False
        assert loader.dataset.get('test_mode', True)
        assert loader.dataset.pipeline[-1].type == 'PackUniPixelInputs'
        assert all(m.type for m in metrics(cfg[f'{split}_evaluator']))
    assert cfg.val_dataloader.dataset.type == cfg.test_dataloader.dataset.type
    # masks at the original size for every mask metric
    types = {m.type for m in metrics(cfg.test_evaluator)}
    if types & {'VideoSegMetric', 'RefSegMetric', 'PixelQAMetric'}:
        assert cfg.test_dataloader.dataset.pipeline[-1].keep_ori_masks


def test_benchmark_with_model_config():
    tool = load_tool('test')
    model_cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'unipixel_tiny_synthetic.py'))
    bench = Config.fromfile(
        osp.join(ROOT, 'configs', 'benchmarks', 'revos.py'))
    cfg = tool.with_model(model_cfg, bench)
    assert cfg.model.type == 'UniPixel'
    assert cfg.test_dataloader.dataset.type == 'ReVOSDataset'
    assert cfg.test_evaluator.split_key == 'split'
    # a training config gets the evaluation loops
    cfg = tool.with_model(
        Config.fromfile(osp.join(ROOT, 'configs', 'unipixel_3b.py')), bench)
    assert cfg.test_cfg.type == 'TestLoop' and cfg.val_cfg.type == 'ValLoop'
    assert cfg.processor == 'checkpoints/UniPixel-3B'
    cfg.processor = 'my/processor'
    tool.apply_processor(cfg)
    steps = [
        s for s in cfg.test_dataloader.dataset.pipeline if 'processor' in s
    ]
    assert steps and all(s.processor == 'my/processor' for s in steps)


@pytest.mark.parametrize('name, max_new_tokens, extra',
                         [('mvbench.py', 256, {}), ('videomme.py', 256, {}),
                          ('revos.py', 512, {}), ('pixelqa.py', 512, {}),
                          ('videorefer_bench_q_single.py', 512,
                           dict(decode_masks=False)),
                          ('videorefer_bench_d_single.py', 512,
                           dict(decode_masks=False))])
def test_benchmark_generation_length(name, max_new_tokens, extra):
    """infer_general.py (MVBench, Video-MME) stops at 256 new tokens, the
    other reference scripts at 512 (the model configs' default); a
    benchmark's generation_cfg updates the model's, other keys kept.
    VideoRefer-Bench-Q / -D decode no masks (their scripts give the model
    no SAM2 frames)."""
    tool = load_tool('test')
    model_cfg = Config.fromfile(osp.join(ROOT, 'configs', 'unipixel_3b.py'))
    model_cfg.model.generation_cfg['do_sample'] = False
    cfg = tool.with_model(
        model_cfg,
        Config.fromfile(osp.join(ROOT, 'configs', 'benchmarks', name)))
    assert cfg.model.generation_cfg == dict(
        max_new_tokens=max_new_tokens, do_sample=False, **extra)


def test_pixelqa_keeps_the_closing_newline():
    """infer_pixelqa.py renders its answered first turn without stripping:
    the chat template's newline after <|im_end|> stays (training strips)."""
    for name in ('pixelqa.py', 'pixelqa_point.py', 'pixelqa_box.py'):
        cfg = Config.fromfile(osp.join(ROOT, 'configs', 'benchmarks', name))
        steps = {s.type: s for s in cfg.test_dataloader.dataset.pipeline}
        assert steps['FormatConversation'].strip is False
        assert steps['SamplePrompts'].point_sampling == 'center'
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'benchmarks', 'videorefer_bench_q.py'))
    steps = {s.type: s for s in cfg.test_dataloader.dataset.pipeline}
    assert steps['FormatConversation'].get('strip', True) is True


def _qwen_step(cfg: Config) -> dict:
    return next(s for s in cfg.test_dataloader.dataset.pipeline
                if s.type == 'QwenVideoProcess')


@pytest.mark.parametrize(
    'name, min_tokens, max_tokens',
    [('videorefer_bench_q.py', 100, 144),
     ('videorefer_bench_q_single.py', 100, 144),
     ('videorefer_bench_d.py', 128, 256),
     ('videorefer_bench_d_single.py', 128, 256), ('pixelqa.py', 128, 256),
     ('pixelqa_point.py', 128, 256), ('pixelqa_box.py', 128, 256)])
def test_videorefer_pixel_budgets(name, min_tokens, max_tokens):
    """infer_videorefer_q.py: 100-144 x 28^2 px, infer_videorefer_d.py and
    infer_pixelqa.py: 128-256 x 28^2 px, scaled by the 16-frame budget."""
    step = _qwen_step(
        Config.fromfile(osp.join(ROOT, 'configs', 'benchmarks', name)))
    assert (step.min_pixels, step.max_pixels, step.frame_budget) == \
        (min_tokens * 784, max_tokens * 784, 16)


@pytest.mark.parametrize('name, dataset', [
    ('videorefer_bench_q_single.py', 'VideoReferBenchQDataset'),
    ('videorefer_bench_d_single.py', 'VideoReferBenchDDataset')
])
def test_single_frame_configs_build(name, dataset, tmp_path):
    """The --single_frame_mode runs of scripts/auto_eval.sh: the mask prompt
    on the question's frame only; the config parses and its data set builds
    (on a one-question benchmark file)."""
    import json

    from unipixel_mm.registry import DATASETS
    from unipixel_mm.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'benchmarks', name))
    ds_cfg = cfg.test_dataloader.dataset
    assert ds_cfg.type == dataset and ds_cfg.single_frame is True
    assert cfg.val_dataloader.dataset.single_frame is True
    rle = dict(size=[4, 4], counts='04')
    raw = dict(
        video='v.mp4',
        frame_idx='2',
        annotation=[{'1': dict(segmentation=rle),
                     '2': dict(segmentation=rle)}],
        caption='a cat',
        Question='What is <object0><region> doing?',
        type='Basic Questions',
        options=['(A) sitting', '(B) running'],
        Answer='(A) sitting')
    ann = tmp_path / 'bench.json'
    ann.write_text(json.dumps([raw]))
    ds_cfg.update(
        ann_file=str(ann),
        data_root=str(tmp_path),
        pipeline=[],
        lazy_init=False)
    info = DATASETS.build(ds_cfg)[0]
    # candidates: the annotated frames 1 and 2 (indices 0, 1); the prompt
    # only on frame 2, the one the question is asked on
    assert info['candidate_frame_inds'] == [1, 2]
    assert info['required_frame'] == 1
    assert info['objects'][0]['masks'] == [[None], [rle]]
