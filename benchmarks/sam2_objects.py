"""Segmenting N objects: one image-encoder pass per frame vs per object.

Our per-object path encodes the frames again for every object and tracks the
objects one after the other, as the reference does at inference; our shared
path encodes each frame once and tracks all objects as one batch. Both are
this project's code: the baseline is not the reference itself.

    python benchmarks/sam2_objects.py [--model fixture|3b|7b|DIR] [--out F]
"""
import torch
from common import base_parser, load_model, report, timed


def main() -> None:
    parser = base_parser(__doc__)
    parser.add_argument('--objects', type=int, nargs='+', default=[1, 3, 8])
    parser.add_argument('--frames', type=int, nargs='+', default=[8, 32])
    args = parser.parse_args()
    model = load_model(args.model, args.device, args.dtype)
    decoder = model.mask_decoder
    size = decoder.image_size
    rows = []
    for num_frames in args.frames:
        frames = torch.randn(num_frames, 3, size, size, device=args.device)
        for num_objects in args.objects:
            prompts = torch.randn(
                num_objects,
                model.llm.num_seg_tokens,
                decoder.embed_dim,
                device=args.device)

            def run(batch):
                return decoder.predict(
                    frames, prompts, (size, size), batch_objects=batch)

            per_object, shared = timed(
                lambda: run(False),
                lambda: run(True),
                repeats=args.repeats,
                device=args.device)
            rows.append(
                dict(
                    frames=num_frames,
                    objects=num_objects,
                    per_object_s=per_object,
                    shared_s=shared,
                    speedup=per_object / shared))
    report('SAM2 decoding of N objects',
           ['frames', 'objects', 'per_object_s', 'shared_s', 'speedup'], rows,
           args.out)


if __name__ == '__main__':
    main()
