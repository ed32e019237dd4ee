"""PixelQA in the model: segment the prompt's objects, then answer a
follow-up question with those masks as mask prompts."""
import importlib.util
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config

from unipixel_mm.datasets import build_tiny_processor, unipixel_collate
from unipixel_mm.registry import DATASETS, MODELS
from unipixel_mm.structures import PixelDataSample

TESTS = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATA_TESTS = osp.join(TESTS, 'test_datasets')
TINY_MODEL_CFG = osp.join(
    osp.dirname(TESTS), 'configs', '_base_', 'models', 'unipixel_tiny.py')
sys.path.insert(0, DATA_TESTS)
from test_videorefer import write_pixelqa  # noqa: E402

pytest.importorskip('pycocotools')


def _data_conftest():
    """tests/test_datasets/conftest.py (not importable by name here)."""
    spec = importlib.util.spec_from_file_location(
        'data_conftest', osp.join(DATA_TESTS, 'conftest.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_DATA = _data_conftest()


@pytest.fixture(scope='module')
def processor(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('processor'))
    return path, build_tiny_processor(path)[0]


@pytest.fixture(scope='module')
def model(processor):
    cfg = Config.fromfile(TINY_MODEL_CFG).model
    torch.manual_seed(0)
    return MODELS.build(dict(cfg, processor=processor[0])).eval()


@pytest.fixture(scope='module')
def pixelqa_batch(tmp_path_factory, processor, model):
    root = write_pixelqa(
        tmp_path_factory.mktemp('pixelqa'), _DATA.write_video,
        _DATA.encode_rle)
    pipeline = _DATA.tiny_pipeline(processor[0], keep_ori_masks=True)
    pipeline[5] = dict(
        type='SamplePrompts', point_sampling='center', box_noise=0)
    dataset = DATASETS.build(
        dict(
            type='VideoReferBenchQDataset',
            data_root=str(root),
            task='mem',
            prompt_type='mix',
            pipeline=pipeline))
    return model.data_preprocessor(unipixel_collate([dataset[0]]), False)


def test_follow_up_prompt_from_masks(model, processor):
    """Hand-made masks of 4 frames: object [1] is on frames 2-3 only,
    object [0] on none (prompted with the whole frame, as the reference)."""
    grid = torch.tensor([[2, 4, 4]])
    ids = torch.tensor([[1] + [model.video_token_id] * 8 + [2]])
    inputs = dict(
        input_ids=ids,
        attention_mask=torch.ones_like(ids),
        pixel_values_videos=torch.zeros(32, 1176),
        video_grid_thw=grid,
        frames=[torch.zeros(4, 3, 128, 128)])
    sample = PixelDataSample(metainfo=dict(frame_size=(56, 56)))
    sample.memory_turn = dict(
        question='Is [1] near [0]?', answer_prefix='(', oids=['1', '0'])
    masks = torch.zeros(2, 4, 56, 56, dtype=torch.bool)
    masks[0, 2:, 30:40, 0:10] = True  # bottom-left quarter of the grid
    follow, samples = model.memory_turn_inputs(inputs, [sample], [masks])
    text = processor[1].tokenizer.decode(follow['input_ids'][0])
    assert text.endswith(
        '<|vision_end|>Here is a video with 4 frames denoted as <1> to <4>. '
        'The highlighted regions are as follows:\n'
        '[1]: <3>-<4> <|mem|>\n'
        '[0]: <1>-<2> <|mem|> <3>-<4> <|mem|>\n'
        'Is [1] near [0]?<|im_end|>\n<|im_start|>assistant\n(')
    expected = torch.zeros(2, 2, 2, 2, dtype=torch.bool)
    expected[1, 0, 1, 0] = True
    expected[:, 1] = True
    assert torch.equal(samples[0].prompt_masks, expected)
    assert follow['attention_mask'].all()
    assert torch.equal(follow['pixel_values_videos'],
                       inputs['pixel_values_videos'])
    with pytest.raises(
            ValueError,
            match=r'segmented 1 <\|seg\|> object\(s\) '
            r"but the memory_turn names 2 \(\['1', '0'\]\)"):
        model.memory_turn_inputs(inputs, [sample], [masks[:1]])


def test_predict_segments_then_answers(model, pixelqa_batch):
    inputs, samples = pixelqa_batch['inputs'], pixelqa_batch['data_samples']
    calls = []
    hook = model.vision_tokenizer.register_forward_hook(
        lambda *args: calls.append(1))
    try:
        model.generation_cfg = dict(max_new_tokens=3)
        out = model.predict(inputs, [s.clone() for s in samples])[0]
    finally:
        hook.remove()
    # the video is encoded once for both passes
    assert len(calls) == 1
    # pass 1: the masks of the given answer's two <|seg|> tokens
    first = model.generate(inputs, samples, max_new_tokens=0)[0]
    assert len(out.pred_masks) >= 2
    for got, want in zip(out.pred_masks[:2], first.masks):
        assert torch.equal(got, want)
    assert out.pred_masks[0].shape == (3, 40, 48)
    # pass 2: the follow-up, its mask prompts made from those masks
    follow, follow_samples = model.memory_turn_inputs(inputs, samples,
                                                      [first.masks])
    assert torch.equal(out.memory_prompt_ids, follow['input_ids'][0])
    assert int((follow['input_ids'] == model.mem_token_id).sum()) == int(
        follow_samples[0].prompt_masks.flatten(2).any(2).sum())
    answer = model.generate(follow, follow_samples, max_new_tokens=3)[0]
    assert torch.equal(out.pred_ids, answer.ids)
    assert out.pred_text == model.decode(answer.ids)


def test_batch_must_not_mix_forms(model, pixelqa_batch):
    inputs, samples = pixelqa_batch['inputs'], pixelqa_batch['data_samples']
    inputs = {
        k: (torch.cat([v, v]) if k in ('input_ids', 'attention_mask',
                                       'pixel_values_videos',
                                       'video_grid_thw') else v * 2)
        for k, v in inputs.items() if k != 'labels'
    }
    plain = PixelDataSample(metainfo=samples[0].metainfo)
    with pytest.raises(ValueError, match='mixes samples with a memory_turn'):
        model.predict(inputs, [samples[0].clone(), plain])
    no_tokenizer = type(model).generate_memory_turns
    model.processor_cfg, cfg = None, model.processor_cfg
    try:
        with pytest.raises(
                ValueError, match='needs a formatter or the processor'):
            no_tokenizer(model, inputs, samples)
    finally:
        model.processor_cfg = cfg


def test_token_ids_come_from_the_processor(processor):
    """A config that names no token ids takes them from its processor; the
    old ``tokenizer=`` argument still works, with a warning."""
    cfg = Config.fromfile(TINY_MODEL_CFG).model.to_dict()
    for key in list(cfg):
        if key.endswith('_token_id'):
            del cfg[key]
    with pytest.warns(DeprecationWarning, match='processor'):
        model = MODELS.build(dict(cfg, tokenizer=processor[0]))
    assert model.processor_cfg == processor[0]
    assert (model.ref_token_id, model.seg_token_id, model.mem_token_id,
            model.image_token_id, model.video_token_id, model.pad_token_id,
            model.eos_token_ids) == (250, 251, 252, 243, 244, 0, [2])
