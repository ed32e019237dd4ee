"""Fixtures of the data tests: the tiny processor and a tiny pipeline."""
from typing import List

import pytest

from unipixel_mm.datasets import build_tiny_processor


@pytest.fixture(scope='session')
def tiny_processor_dir(tmp_path_factory) -> str:
    """A directory holding the tiny Qwen2.5-VL processor."""
    path = str(tmp_path_factory.mktemp('tiny_processor'))
    build_tiny_processor(path)
    return path


@pytest.fixture(scope='session')
def tiny_processor(tiny_processor_dir):
    return build_tiny_processor(tiny_processor_dir)[0]


def tiny_pipeline(processor_dir: str,
                  num_frames: int = -1,
                  max_turns: int = 1,
                  keep_ori_masks: bool = False) -> List[dict]:
    """The training pipeline at the tiny sizes (56-112 px, SAM2 128)."""
    return [
        dict(type='LoadFrames', num_frames=num_frames),
        dict(type='SampleObjects', max_turns=max_turns),
        dict(type='LoadObjectMasks'),
        dict(
            type='QwenVideoProcess',
            processor=processor_dir,
            min_pixels=56 * 56,
            max_pixels=112 * 112,
            frame_budget=None),
        dict(type='SAM2Resize', size=128),
        dict(type='SamplePrompts'),
        dict(type='FormatConversation', processor=processor_dir),
        dict(type='PackUniPixelInputs', keep_ori_masks=keep_ori_masks),
    ]


@pytest.fixture
def pipeline_factory(tiny_processor_dir):
    """``tiny_pipeline`` bound to the tiny processor directory."""
    return lambda **kwargs: tiny_pipeline(tiny_processor_dir, **kwargs)


def dataset_from_config(name: str, processor_dir: str, **overrides):
    """Builds ``train_dataloader.dataset`` of ``configs/_base_/datasets/
    {name}.py`` with the tiny processor and ``overrides``."""
    import os.path as osp

    from mmengine.config import Config

    from unipixel_mm.registry import DATASETS

    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(
        osp.join(root, 'configs', '_base_', 'datasets', f'{name}.py'))
    dataset = cfg.train_dataloader.dataset
    for step in dataset.pipeline:
        if 'processor' in step:
            step.processor = processor_dir
    dataset.update(overrides)
    return DATASETS.build(dataset)


@pytest.fixture
def config_dataset_factory(tiny_processor_dir):
    """``dataset_from_config`` bound to the tiny processor directory."""
    return lambda name, **kwargs: dataset_from_config(
        name, tiny_processor_dir, **kwargs)
