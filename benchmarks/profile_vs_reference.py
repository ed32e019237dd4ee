"""Where the time goes: each component, ours beside the reference's.

Runs the cases of ``vs_reference.py`` (decode, train, generate on the tiny
official-format fixture, the same inputs and weights on both sides) with
forward hooks on each component's modules and reports, per case and side,
the milliseconds of the fastest run spent in: the vision tokenizer, the LLM
(decoder + lm_head), the ``<|seg|>`` head, the prompt encoder, the memory
bank, SAM2's image encoder, memory attention, memory encoder and mask
decoder (with its prompt encoder), sample packing (our conversion of the
reference's inputs into a batch), the masklet loss, backward (train) and
the rest (Python, glue, generation loop). The cases hold no point / box /
mask prompts, so the prompt encoder and the memory bank stay at 0.

    python benchmarks/profile_vs_reference.py [--only decode] \
        [--frames 8] [--threads 2] [--reference-root DIR] [--out F]
"""
import argparse

from common import report
from reference_runner import Sides, add_arguments, plan

COMPONENTS = [
    'vision tokenizer', 'LLM', 'seg head', 'prompt encoder', 'memory bank',
    'SAM2 image encoder', 'memory attention', 'memory encoder', 'mask decoder',
    'sample packing', 'loss', 'backward'
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    args = parser.parse_args()
    sides = Sides(args)
    rows = []
    try:
        for mode, frames, objects in plan(args):
            runs = {
                side: sides.run(side, mode, frames, objects, profile=True)
                for side in ('reference', 'ours')
            }
            for component in COMPONENTS + ['rest', 'total']:
                row = dict(
                    mode=mode,
                    frames=frames,
                    objects=objects,
                    component=component)
                for side, run in runs.items():
                    parts = run['components_ms']
                    if component == 'total':
                        ms = run['ms']
                    elif component == 'rest':
                        ms = run['ms'] - sum(parts.values())
                    else:
                        ms = parts.get(component, 0.0)
                    row[f'{side}_ms'] = round(ms, 1)
                if row['reference_ms'] or row['ours_ms']:
                    row['ours/reference'] = round(
                        row['ours_ms'] / row['reference_ms'],
                        2) if row['reference_ms'] > 0.05 else '-'
                    rows.append(row)
    finally:
        sides.close()
    report(
        f'Time per component, reference and ours ({args.threads} threads, '
        'fastest of {} runs)'.format(args.repeats), [
            'mode', 'frames', 'objects', 'component', 'reference_ms',
            'ours_ms', 'ours/reference'
        ], rows, args.out)


if __name__ == '__main__':
    main()
