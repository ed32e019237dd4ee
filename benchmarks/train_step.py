"""Training step time and peak memory.

Compares our shared SAM2 path (each frame encoded once per sample, all
objects tracked together) with our per-object path (frames encoded again
for every object). Neither is the reference, which also encodes each frame
once and batches the objects in training.

    python benchmarks/train_step.py [--model fixture|3b|7b|DIR] [--out F]
"""
import json
import resource
import subprocess
import sys

import torch
from common import base_parser, load_model, report, timed
from generation import video_prompt

from unipixel_mm.structures import PixelDataSample


def training_batch(model, num_frames: int, num_objects: int, grid: int,
                   device: str):
    inputs = video_prompt(model, num_frames, grid, device)
    seg = torch.full((1, num_objects), model.seg_token_id, device=device)
    tail = torch.tensor([[5, 2]], device=device)
    ids = torch.cat([inputs['input_ids'], seg, tail], 1)
    inputs.update(
        input_ids=ids, attention_mask=torch.ones_like(ids), labels=ids.clone())
    size = model.mask_decoder.image_size
    sample = PixelDataSample(metainfo=dict(frame_size=(size, size)))
    masks = torch.zeros(
        num_frames, num_objects, size, size, dtype=torch.bool, device=device)
    masks[..., size // 4:size // 2, size // 4:size // 2] = True
    sample.gt_masks = masks
    steps = torch.arange(num_frames, device=device)[:, None]
    sample.gt_obj_to_frame = torch.stack([
        steps.expand(-1, num_objects),
        torch.zeros_like(steps).expand(-1, num_objects)
    ], -1).int()
    return inputs, [sample]


def per_object(loss_outputs):
    """Wrap ``SAM2Decoder.loss_outputs`` to run one object at a time."""

    def run(frames, prompts, obj_to_frame):
        steps = [
            loss_outputs(frames, prompts[i:i + 1], obj_to_frame[:, i:i + 1])
            for i in range(prompts.size(0))
        ]
        fields = steps[0][0].__dataclass_fields__
        return [
            type(outs[0])(**{
                f: torch.cat([getattr(o, f) for o in outs])
                for f in fields
            }) for outs in zip(*steps)
        ]

    return run


def run_variant(args, variant: str) -> dict:
    """Time one SAM2 path; peak memory is this process's high-water mark
    (CUDA: allocator peak; CPU: max resident set size), so each variant runs
    in a fresh process."""
    model = load_model(args.model, args.device, args.dtype).train()
    inputs, samples = training_batch(model, args.frames, args.objects,
                                     args.grid, args.device)
    decoder = model.mask_decoder
    if variant == 'per_object':
        decoder.loss_outputs = per_object(decoder.loss_outputs)

    def step():
        model.zero_grad(set_to_none=True)
        sum(model(inputs, samples, mode='loss').values()).backward()

    if args.device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    seconds, = timed(step, repeats=args.repeats, device=args.device)
    if args.device.startswith('cuda'):
        peak = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    return dict(
        sam2_path=variant,
        frames=args.frames,
        objects=args.objects,
        step_s=seconds,
        peak_mib=peak)


def main() -> None:
    parser = base_parser(__doc__)
    parser.add_argument('--frames', type=int, default=8)
    parser.add_argument('--objects', type=int, default=3)
    parser.add_argument('--grid', type=int, default=8)
    parser.add_argument('--variant', choices=['per_object', 'shared'])
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args, args.variant)))
        return
    rows = []
    for variant in ('per_object', 'shared'):
        cmd = [
            sys.executable, __file__, '--variant', variant, '--model',
            args.model, '--device', args.device, '--repeats',
            str(args.repeats), '--frames',
            str(args.frames), '--objects',
            str(args.objects), '--grid',
            str(args.grid)
        ] + (['--dtype', args.dtype] if args.dtype else [])
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    for row in rows:
        row['speedup'] = rows[0]['step_s'] / row['step_s']
    report('Training step',
           ['sam2_path', 'frames', 'objects', 'step_s', 'peak_mib', 'speedup'],
           rows, args.out)


if __name__ == '__main__':
    main()
