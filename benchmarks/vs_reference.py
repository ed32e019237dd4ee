"""Ours against the reference UniPixel itself: time and peak memory.

Each case (decode of N ``<|seg|>`` objects over 8 and 32 frames, a training
step with N target objects, 32 generated tokens; see
``reference_case.py``) runs on both sides back to back, each in a fresh
process, the order swapped every round, so that a slow spell of the machine
hits both sides of a pair alike. The speedup of a case is the median over
rounds of the paired ratio reference time / our time (above 1: we are
faster); the times shown are the fastest of each side. Peak memory is the
peak resident set size (RSS) of each side's process during its timed runs
(and of the whole process, imports and model included), the lowest over
rounds.

Needs a reference checkout and a Python that runs it (see
``reference_runner.py``, ``--reference-root``).

    python benchmarks/vs_reference.py [--rounds 3] [--only decode,train] \
        [--threads 2] [--clock wall] [--out F]
"""
import argparse

from common import report
from reference_runner import Sides, add_arguments, median, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    sides = Sides(args)
    cases = plan(args)
    runs = {case: [] for case in cases}
    try:
        for r in range(args.rounds):
            order = ('reference', 'ours') if r % 2 == 0 else ('ours',
                                                              'reference')
            for case in cases:
                runs[case].append(
                    {side: sides.run(side, *case)
                     for side in order})
    finally:
        sides.close()
    rows = []
    for (mode, frames, objects), pairs in runs.items():
        ratios = [p['reference']['ms'] / p['ours']['ms'] for p in pairs]
        row = dict(mode=mode, frames=frames, objects=objects)
        for side in ('reference', 'ours'):
            row[f'{side}_ms'] = min(p[side]['ms'] for p in pairs)
        row['speedup'] = round(median(ratios), 2)
        row['rounds'] = ' '.join(f'{x:.2f}' for x in ratios)
        for side in ('reference', 'ours'):
            row[f'{side}_run_peak_mib'] = min(
                p[side]['run_peak_rss_mib'] or p[side]['peak_rss_mib']
                for p in pairs)
        for side in ('reference', 'ours'):
            row[f'{side}_peak_mib'] = min(p[side]['peak_rss_mib']
                                          for p in pairs)
        rows.append(row)
    report(
        f'Ours vs the reference ({args.threads} threads, {args.clock} '
        f'clock, {args.rounds} rounds)', [
            'mode', 'frames', 'objects', 'reference_ms', 'ours_ms', 'speedup',
            'rounds', 'reference_run_peak_mib', 'ours_run_peak_mib',
            'reference_peak_mib', 'ours_peak_mib'
        ], rows, args.out)


if __name__ == '__main__':
    main()
