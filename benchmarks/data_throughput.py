"""Throughput of the video training pipeline with 1 and 2 loader workers.

Runs the reference-size training pipeline (configs/_base_/datasets/
unipixel_pipelines.py: 8 frames, Qwen2.5-VL patches, 768 px SAM2 frames,
prompts, chat tokens) through a ``DataLoader`` on two sources:

- ``synthetic``: SyntheticShapes clips drawn in memory (no decoding);
- ``mp4``: generated MPEG-4 clips read through the LLaVA / VideoGPT+
  conversation reader (video decoding included).

Both worker counts run in the same process, one after the other, so their
numbers compare; the first batch (worker start-up) is timed apart.

    python benchmarks/data_throughput.py [--samples 32] [--out F]
"""
import argparse
import json
import os
import os.path as osp
import tempfile
import time

import numpy as np
from common import report
from mmengine.config import Config
from torch.utils.data import DataLoader

from unipixel_mm.datasets import build_tiny_processor, unipixel_collate
from unipixel_mm.registry import DATASETS
from unipixel_mm.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--processor',
        default=None,
        help='model directory of the tokenizer / processor (default: the '
        'tiny processor, written to a temporary directory)')
    parser.add_argument(
        '--samples',
        type=int,
        default=32,
        help='samples timed per run (after the first batch)')
    parser.add_argument('--workers', type=int, nargs='+', default=[1, 2])
    parser.add_argument(
        '--sources',
        nargs='+',
        default=['synthetic', 'mp4'],
        choices=['synthetic', 'mp4'])
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=[360, 480],
        help='frame height and width of the clips')
    parser.add_argument('--out', default=None, help='JSON result file')
    return parser.parse_args()


def training_pipeline(processor: str) -> list:
    """The recipe's training pipeline with ``processor``."""
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'datasets',
                 'unipixel_pipelines.py'))
    pipeline = cfg.region_train_pipeline
    for step in pipeline:
        if 'processor' in step:
            step['processor'] = processor
    return [dict(step) for step in pipeline]


def write_clips(folder: str, num: int, size, frames: int = 48) -> str:
    """``num`` MPEG-4 clips of moving noise and a conversation file."""
    import av
    rng = np.random.default_rng(0)
    height, width = size
    convs = []
    for i in range(num):
        path = osp.join(folder, f'clip{i}.mp4')
        with av.open(path, 'w') as container:
            stream = container.add_stream('mpeg4', rate=24)
            stream.width, stream.height = width, height
            stream.pix_fmt = 'yuv420p'
            base = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
            for t in range(frames):
                frame = np.roll(base, 4 * t, axis=1)
                for packet in stream.encode(
                        av.VideoFrame.from_ndarray(frame, format='rgb24')):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        convs.append(
            dict(
                id=i,
                video=f'clip{i}.mp4',
                conversations=[
                    {
                        'from': 'human',
                        'value': '<video>\nWhat moves?'
                    },
                    {
                        'from': 'gpt',
                        'value': 'The noise moves to the right.'
                    },
                ]))
    ann_file = osp.join(folder, 'conversations.json')
    with open(ann_file, 'w') as f:
        json.dump(convs, f)
    return ann_file


def build_dataset(source: str, pipeline: list, num: int, size, tmp: str):
    if source == 'synthetic':
        return DATASETS.build(
            dict(
                type='SyntheticShapesDataset',
                num_samples=num,
                tasks=('seg', 'mem', 'region'),
                min_size=min(size),
                max_size=max(size),
                max_frames=8,
                pipeline=pipeline))
    ann_file = write_clips(tmp, 4, size)
    return DATASETS.build(
        dict(
            type='LLaVAInstructDataset',
            data_root=tmp,
            ann_file=ann_file,
            data_prefix=dict(img_path='', video_path=''),
            pipeline=pipeline))


def measure(dataset, workers: int, samples: int) -> dict:
    """Samples/s of a loader over ``samples`` samples after one batch."""
    loader = DataLoader(
        dataset,
        batch_size=1,
        num_workers=workers,
        collate_fn=unipixel_collate,
        sampler=[i % len(dataset) for i in range(samples + 1)])
    start = time.perf_counter()
    batches = iter(loader)
    next(batches)
    first = time.perf_counter()
    count = sum(len(batch['inputs']) for batch in batches)
    end = time.perf_counter()
    return dict(
        workers=workers,
        samples=count,
        seconds=end - first,
        samples_per_s=count / (end - first),
        startup_s=first - start)


def main():
    args = parse_args()
    register_all_modules()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        processor = args.processor
        if processor is None:
            processor = osp.join(tmp, 'processor')
            build_tiny_processor(processor)
        pipeline = training_pipeline(processor)
        for source in args.sources:
            folder = osp.join(tmp, source)
            os.makedirs(folder)
            dataset = build_dataset(source, pipeline, args.samples, args.size,
                                    folder)
            for workers in args.workers:
                rows.append(
                    dict(
                        source=source,
                        **measure(dataset, workers, args.samples)))
    report('Video pipeline throughput (8 frames, SAM2 768 px)', [
        'source', 'workers', 'samples', 'seconds', 'samples_per_s', 'startup_s'
    ], rows, args.out)


if __name__ == '__main__':
    main()
