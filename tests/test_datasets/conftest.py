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


def dataset_from_config(name: str,
                        processor_dir: str,
                        split: str = 'train',
                        **overrides):
    """Builds ``{split}_dataloader.dataset`` of ``configs/_base_/datasets/
    {name}.py`` with the tiny processor and ``overrides``."""
    import os.path as osp

    from mmengine.config import Config

    from unipixel_mm.registry import DATASETS

    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(
        osp.join(root, 'configs', '_base_', 'datasets', f'{name}.py'))
    dataset = cfg[f'{split}_dataloader'].dataset
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


def tiny_losses(model, packed: List[dict]) -> dict:
    """Collates packed samples and runs the tiny model's loss forward."""
    from unipixel_mm.datasets import unipixel_collate
    batch = unipixel_collate(packed)
    return model(**model.data_preprocessor(batch, True), mode='loss')


@pytest.fixture
def train_step(model_factory):
    """Feeds packed samples to a fresh tiny model in train mode and checks
    that the losses are finite; returns them."""

    def run(packed: List[dict]) -> dict:
        import torch
        losses = tiny_losses(model_factory().train(), packed)
        assert losses and all(torch.isfinite(v) for v in losses.values())
        return losses

    return run


def write_video(path: str, frames, fps: int = 24) -> str:
    """Writes (N, H, W, 3) uint8 frames as an MPEG-4 file with PyAV."""
    av = pytest.importorskip('av')
    height, width = frames.shape[1:3]
    with av.open(str(path), 'w') as container:
        stream = container.add_stream('mpeg4', rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, 'yuv420p'
        for frame in frames:
            for packet in stream.encode(
                    av.VideoFrame.from_ndarray(frame, format='rgb24')):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return str(path)


@pytest.fixture
def video_writer():
    """``write_video(path, frames, fps=24)``: an mp4 written with PyAV."""
    return write_video


def encode_rle(mask) -> dict:
    """A binary (H, W) mask as a COCO RLE with a str ``counts``."""
    import numpy as np
    from pycocotools import mask as mask_utils
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    rle['counts'] = rle['counts'].decode()
    return rle


@pytest.fixture
def rle_encoder():
    """``encode_rle(mask)``: a COCO RLE dict of a binary mask."""
    pytest.importorskip('pycocotools')
    return encode_rle
