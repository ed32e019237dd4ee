"""Live video: per-frame latency and memory over a long synthetic stream.

A session (``UniPixelInferencer.stream``, window 1, no re-query) is fed
moving shapes frame by frame with one ``<|seg|>`` per shape in the prompt
(no generated tokens, so the number of objects is fixed). Printed per
number of objects: frames per second, the median push latency of an early
stretch (frames T/10..T/5, 100-200 of 1,000) and of the last tenth
(900-1000), the process RSS and the session's state (SAM2 memory bank and
held frames) after frame T/5 and after the last frame.

    python benchmarks/stream.py [--model fixture|DIR] [--frames 1000] \\
        [--objects 1 3] [--out F]
"""
import os
import statistics
import tempfile
import time

import numpy as np
import psutil
from common import base_parser, load_model, report

from unipixel_mm.apis import UniPixelInferencer
from unipixel_mm.apis.stream_sources import SyntheticSource
from unipixel_mm.text import build_tiny_processor


def run_stream(inferencer, num_frames: int, num_objects: int) -> dict:
    """Stream ``num_frames`` frames of ``num_objects`` shapes; one row."""
    text = 'Please segment ' + ' and '.join(['<|seg|>'] * num_objects)
    session = inferencer.stream(text, generation=dict(max_new_tokens=0))
    early = range(num_frames // 10, num_frames // 5)
    late = range(num_frames - num_frames // 10, num_frames)
    process = psutil.Process()
    latency = np.zeros(num_frames)
    rss, state = {}, {}
    start = time.perf_counter()
    for t, frame in enumerate(SyntheticSource(num_frames, num_objects)):
        done = session.push(frame)
        latency[t] = done[-1].latency
        assert len(done[-1].object_ids) == num_objects
        if t + 1 in (early.stop, num_frames):
            rss[t + 1] = process.memory_info().rss / 2**20
            state[t + 1] = session.state_bytes() / 2**10
    seconds = time.perf_counter() - start
    session.close()
    early_ms = statistics.median(latency[early]) * 1000
    late_ms = statistics.median(latency[late]) * 1000
    first, last = early.stop, num_frames
    return dict(
        objects=num_objects,
        frames=num_frames,
        fps=num_frames / seconds,
        early_ms=early_ms,
        late_ms=late_ms,
        latency_ratio=late_ms / early_ms,
        rss_mb_early=rss[first],
        rss_mb_last=rss[last],
        rss_ratio=rss[last] / rss[first],
        state_kb_early=state[first],
        state_kb_last=state[last])


def main() -> None:
    parser = base_parser(__doc__)
    parser.add_argument('--frames', type=int, default=1000)
    parser.add_argument('--objects', type=int, nargs='+', default=[1, 3])
    parser.add_argument(
        '--processor', help='tokenizer directory (default: the tiny one for '
        'the fixture, else --model)')
    args = parser.parse_args()
    if args.frames < 10:
        parser.error('--frames must be at least 10')
    model = load_model(args.model, args.device, args.dtype)
    with tempfile.TemporaryDirectory() as tmp:
        processor = args.processor
        if processor is None and args.model == 'fixture':
            processor = os.path.join(tmp, 'processor')
            build_tiny_processor(processor)
        inferencer = UniPixelInferencer(
            model, processor=processor or args.model)
        rows = [
            run_stream(inferencer, args.frames, num_objects)
            for num_objects in args.objects
        ]
    report(
        f'Live video, {args.frames} frames (early = frames '
        f'{args.frames // 10}-{args.frames // 5}, late = the last '
        f'{args.frames // 10})', [
            'objects', 'fps', 'early_ms', 'late_ms', 'latency_ratio',
            'rss_mb_early', 'rss_mb_last', 'rss_ratio', 'state_kb_early',
            'state_kb_last'
        ], rows, args.out)


if __name__ == '__main__':
    main()
