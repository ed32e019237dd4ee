"""UniPixel at real size on this machine: write, load, answer, export.

Writes a random-weight model of an official architecture (default
UniPixel-3B: Qwen2.5-VL-3B-Instruct + SAM2.1 Hiera-B+ at 768) in the official
format (bfloat16, sharded safetensors), then, in a fresh process, loads it
with ``build_from_official`` (streaming; the ``'reference'`` precision
policy, so everything stays bfloat16), answers one image request and one
8-frame video request (each prompt holds one ``<|seg|>``, so SAM2 segments
too), exports it back and checks that the exported tensors equal the
written ones. Each step's wall time and the peak RSS are reported; the peak
RSS of loading is compared with the checkpoint's bytes (target <= 1.15x).
The checkpoint (~7.5 GB for 3B) lives in a temp dir removed at the end.

    python benchmarks/real_size.py [--work-dir DIR] [--new-tokens 4]
        [--config configs/_base_/models/unipixel_3b.py] [--out F]
"""
import argparse
import json
import os
import os.path as osp
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Dict, List

import torch
from common import ROOT, report

IMAGE_GRID = (1, 16, 16)  # 224 x 224 px: 64 visual tokens
VIDEO_GRID = (4, 16, 16)  # 8 frames of 224 x 224 px: 256 visual tokens
FRAME_SIZE = (480, 640)  # the size masks are returned at


def peak_rss_gb() -> float:
    """Peak resident set size of this process so far, in GB (1e9 B)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def checkpoint_bytes(ckpt_dir: str) -> int:
    return sum(
        osp.getsize(osp.join(ckpt_dir, f)) for f in os.listdir(ckpt_dir)
        if f.endswith('.safetensors'))


def write_random(config: str, out_dir: str) -> Dict:
    """Build the config's model in bfloat16 with random weights (never in
    float32: that would need twice the memory) and export it."""
    from mmengine.config import Config
    from transformers.modeling_utils import no_init_weights

    from unipixel_mm.models.checkpoint import export_official_checkpoint
    from unipixel_mm.registry import MODELS
    from unipixel_mm.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(config).model.to_dict()
    for part in ('vision_tokenizer', 'llm'):
        cfg[part]['torch_dtype'] = 'bfloat16'
    cfg.update(dtype='bfloat16', precision='reference')
    start = time.perf_counter()
    torch.manual_seed(0)
    with no_init_weights():
        model = MODELS.build(cfg)
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0, 0.02)
    built = time.perf_counter()
    export_official_checkpoint(model, out_dir)
    return dict(
        build_s=built - start,
        write_s=time.perf_counter() - built,
        params=sum(p.numel() for p in model.parameters()),
        peak_rss_gb=peak_rss_gb())


def request(model, grid, num_frames: int, new_tokens: int) -> Dict:
    """Answer one request of an image (``num_frames`` 1) or a video with
    random pixels; returns its wall time and what came out."""
    from unipixel_mm.structures import PixelDataSample
    llm, vision = model.llm, model.vision_tokenizer
    merge = vision.merge_size**2
    patches = grid[0] * grid[1] * grid[2]
    is_video = num_frames > 1
    size = model.mask_decoder.image_size
    pad = model.video_token_id if is_video else model.image_token_id
    text = torch.randint(10, min(1000, llm.vocab_size // 2), (12, ))
    ids = torch.cat([
        text[:6],
        torch.tensor([llm.vision_start_token_id]),
        torch.full((patches // merge, ), pad),
        torch.tensor([llm.vision_start_token_id + 1]), text[6:],
        torch.tensor([model.seg_token_id])
    ])[None]
    inputs = dict(
        input_ids=ids,
        attention_mask=torch.ones_like(ids),
        frames=[torch.randn(num_frames, 3, size, size)])
    prefix = 'pixel_values_videos' if is_video else 'pixel_values'
    grid_key = 'video_grid_thw' if is_video else 'image_grid_thw'
    inputs[prefix] = torch.randn(patches, 1176)
    inputs[grid_key] = torch.tensor([grid])
    if is_video:
        inputs['second_per_grid_ts'] = torch.tensor([1.0])
    sample = PixelDataSample(metainfo=dict(frame_size=FRAME_SIZE))
    start = time.perf_counter()
    result = model.generate(inputs, [sample], max_new_tokens=new_tokens)[0]
    return dict(
        seconds=time.perf_counter() - start,
        tokens=ids.size(1),
        masks=tuple(result.masks.shape))


def same_tensors(a: str, b: str) -> int:
    """Compare two checkpoint directories tensor by tensor; returns the
    number of tensors, raising on any difference."""
    from safetensors import safe_open

    from unipixel_mm.models.checkpoint.hf_weights import weight_files

    def index(ckpt_dir):
        out = {}
        for path in weight_files(ckpt_dir):
            with safe_open(path, framework='pt') as f:
                out.update({k: path for k in f.keys()})
        return out

    left, right = index(a), index(b)
    if set(left) != set(right):
        raise AssertionError(f'tensor names differ: '
                             f'{sorted(set(left) ^ set(right))[:5]}')
    for key, path in left.items():
        with safe_open(path, framework='pt') as f, \
                safe_open(right[key], framework='pt') as g:
            x, y = f.get_tensor(key), g.get_tensor(key)
            if x.dtype != y.dtype or not torch.equal(x, y):
                raise AssertionError(f'"{key}" differs after the round trip')
    return len(left)


def load_answer_export(ckpt_dir: str, new_tokens: int) -> Dict:
    from unipixel_mm.models.checkpoint import (build_from_official,
                                               export_official_checkpoint)
    start = time.perf_counter()
    model = build_from_official(ckpt_dir)
    out = dict(load_s=time.perf_counter() - start, load_rss_gb=peak_rss_gb())
    out['dtypes'] = sorted({str(p.dtype) for p in model.parameters()})
    image = request(model, IMAGE_GRID, 1, new_tokens)
    video = request(model, VIDEO_GRID, 8, new_tokens)
    out.update(
        image_s=image['seconds'],
        image_tokens=image['tokens'],
        video_s=video['seconds'],
        video_tokens=video['tokens'],
        video_masks=video['masks'])
    exported = ckpt_dir.rstrip('/') + '_exported'
    start = time.perf_counter()
    export_official_checkpoint(model, exported)
    out['export_s'] = time.perf_counter() - start
    del model
    start = time.perf_counter()
    out['tensors_equal'] = same_tensors(ckpt_dir, exported)
    out['compare_s'] = time.perf_counter() - start
    out['peak_rss_gb'] = peak_rss_gb()
    return out


def child(step: str, args: argparse.Namespace) -> Dict:
    """Run one step in a fresh Python, so that its peak RSS is its own."""
    cmd = [
        sys.executable, __file__, '--step', step, '--config', args.config,
        '--ckpt', args.ckpt, '--new-tokens',
        str(args.new_tokens)
    ]
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows_of(written: Dict, loaded: Dict, size: int) -> List[Dict]:
    gb = size / 1e9
    return [
        dict(step='build random bf16 model', seconds=written['build_s'],
             peak_rss_gb='-'),
        dict(step='write official checkpoint', seconds=written['write_s'],
             peak_rss_gb=written['peak_rss_gb']),
        dict(step='build_from_official (stream)', seconds=loaded['load_s'],
             peak_rss_gb=loaded['load_rss_gb']),
        dict(step=f'image request ({loaded["image_tokens"]} tokens)',
             seconds=loaded['image_s'], peak_rss_gb='-'),
        dict(step=f'8-frame video request ({loaded["video_tokens"]} tokens)',
             seconds=loaded['video_s'], peak_rss_gb='-'),
        dict(step='export_official_checkpoint', seconds=loaded['export_s'],
             peak_rss_gb=loaded['peak_rss_gb']),
        dict(step=f'round trip: {loaded["tensors_equal"]} tensors equal',
             seconds=loaded['compare_s'], peak_rss_gb='-'),
        dict(step=f'checkpoint size {gb:.2f} GB; load RSS / size',
             seconds='-', peak_rss_gb=f'{loaded["load_rss_gb"] / gb:.3f}x'),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        '--config',
        default=osp.join(ROOT, 'configs', '_base_', 'models',
                         'unipixel_3b.py'))
    parser.add_argument('--work-dir', default=None,
                        help='where the temp checkpoint goes')
    parser.add_argument('--new-tokens', type=int, default=4)
    parser.add_argument('--out', default=None, help='JSON result file')
    parser.add_argument('--step', choices=['write', 'load'],
                        help=argparse.SUPPRESS)
    parser.add_argument('--ckpt', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == 'write':
        print(json.dumps(write_random(args.config, args.ckpt)))
        return
    if args.step == 'load':
        print(json.dumps(load_answer_export(args.ckpt, args.new_tokens)))
        return
    tmp = tempfile.mkdtemp(prefix='unipixel-real-size-', dir=args.work_dir)
    try:
        args.ckpt = osp.join(tmp, 'checkpoint')
        written = child('write', args)
        size = checkpoint_bytes(args.ckpt)
        loaded = child('load', args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows = rows_of(written, loaded, size)
    report(f'{osp.basename(args.config)} at real size, '
           f'{written["params"] / 1e9:.2f}B parameters, '
           f'{", ".join(loaded["dtypes"])}',
           ['step', 'seconds', 'peak_rss_gb'], rows, args.out)


if __name__ == '__main__':
    main()
