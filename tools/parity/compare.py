"""Checks our recorded run of a family against the reference's fixture."""
import math
import os
import os.path as osp
from typing import Dict, List

import numpy as np

#: Masks (whole masklets) must overlap at least this much.
MIN_IOU = 0.99
#: Metrics (percent) may differ by at most this much.
METRIC_TOL = 0.1
#: Relative tolerance of the pixel checksums (float32 sums).
SUM_RTOL = 1e-4


def masklet_iou(a: List[dict], b: List[dict]) -> float:
    """IoU of two masklets given as per-frame COCO RLEs (1 when both are
    empty)."""
    from pycocotools import mask as mask_utils
    if len(a) != len(b):
        return 0.0
    inter = union = 0
    for x, y in zip(a, b):
        mx = mask_utils.decode(dict(x, counts=x['counts'].encode()))
        my = mask_utils.decode(dict(y, counts=y['counts'].encode()))
        if mx.shape != my.shape:
            return 0.0
        inter += int(np.logical_and(mx, my).sum())
        union += int(np.logical_or(mx, my).sum())
    return 1.0 if union == 0 else inter / union


def _close_stats(ref: list, ours: list) -> bool:
    if list(ref[0]) != list(ours[0]):
        return False
    return all(
        math.isclose(r, o, rel_tol=SUM_RTOL, abs_tol=1e-3)
        for r, o in zip(ref[1:], ours[1:]))


def _files(ref_call: dict):
    vision = ref_call.get('vision') or []
    if len(vision) != 1:
        return [v.get('files') for v in vision]
    return vision[0].get('files')


def compare_call(i: int, ref: dict, ours: dict) -> List[str]:
    """Differences of one generation call (a sample, or one of its turns)."""
    bad = []

    def check(name, ok, r, o):
        if not ok:
            bad.append(f'call {i}: {name} differs: reference {r!r}, '
                       f'ours {o!r}')

    files = _files(ref)
    if ref.get('frame_inds') is not None:
        # frames decoded by the script (VideoRefer, PixelQA): their indices
        check('frame indices', ref['frame_inds'] == ours.get('frame_inds'),
              ref['frame_inds'], ours.get('frame_inds'))
    elif files is not None:
        check('frame files', files == ours['files'], files, ours['files'])
    check('prompt ids', ref['input_ids'] == ours['input_ids'],
          len(ref['input_ids']), len(ours['input_ids']))
    gen = ref['generation']
    if gen.get('forward'):  # the reference's direct forward: no answer
        check('answer given (no new tokens)',
              ours['generation']['max_new_tokens'] == 0, 0,
              ours['generation']['max_new_tokens'])
        gen = dict(do_sample=False, max_new_tokens=0)
    check('greedy decoding', not gen['do_sample'] and gen.get(
        'repetition_penalty') in (None, 1.0) and not ours['generation']
          ['do_sample'], gen, ours['generation'])
    check('max_new_tokens',
          gen['max_new_tokens'] == ours['generation']['max_new_tokens'],
          gen['max_new_tokens'], ours['generation']['max_new_tokens'])
    check('answer ids', ref['output_ids'] == ours['output_ids'],
          ref['output_ids'], ours['output_ids'])
    if 'video_grid_thw' in ref:
        check('video grid', ref['video_grid_thw'][0] == ours.get(
            'video_grid_thw'), ref['video_grid_thw'][0],
              ours.get('video_grid_thw'))
        check(
            'second_per_grid_ts',
            math.isclose(ref['second_per_grid_ts'][0],
                         ours.get('second_per_grid_ts', -1), rel_tol=1e-6),
            ref['second_per_grid_ts'], ours.get('second_per_grid_ts'))
        check('pixel values',
              _close_stats(ref['pixel_values_videos'],
                           ours.get('pixel_values_videos', [[]])),
              ref['pixel_values_videos'], ours.get('pixel_values_videos'))
    if 'frames' in ref:
        check('SAM2 frames', _close_stats(ref['frames'],
                                          ours.get('frames', [[]])),
              ref['frames'], ours.get('frames'))
    if 'refer_mask' in ref:  # a mask prompt (VideoRefer, PixelQA)
        check('mask prompt',
              _close_stats(ref['refer_mask'][0],
                           ours.get('refer_mask', [[[]]])[0]),
              ref['refer_mask'], ours.get('refer_mask'))
    if 'frame_size' in ref:
        check('frame size', ref['frame_size'][0] == ours['frame_size'],
              ref['frame_size'][0], ours['frame_size'])
    check('number of masklets', len(ref['masks']) == len(ours['masks']),
          len(ref['masks']), len(ours['masks']))
    for k, (r, o) in enumerate(zip(ref['masks'], ours['masks'])):
        iou = masklet_iou(r, o)
        check(f'masklet {k} (IoU {iou:.4f})', iou >= MIN_IOU, '', '')
    return bad


def compare_family(entry: dict, calls: List[dict], metrics: Dict[str, float],
                   metric_names: Dict[str, str],
                   scale: float = 1.0) -> List[str]:
    """All differences between the reference's fixture entry and our run.

    Args:
        entry (dict): The fixture's ``<family>.json``.
        calls (list[dict]): Our recorded generation calls.
        metrics (dict): Our metrics.
        metric_names (dict): Our metric name -> the reference's.
        scale (float): Factor from the reference's numbers to ours.

    Returns:
        list[str]: One line per difference; empty when they agree.
    """
    bad = []
    ref_calls = entry['calls']
    if len(ref_calls) != len(calls):
        bad.append(f'{len(ref_calls)} reference calls, {len(calls)} ours')
    for i, (ref, ours) in enumerate(zip(ref_calls, calls)):
        bad += compare_call(i, ref, ours)
    for ours_name, ref_name in metric_names.items():
        ref_value = entry['metrics'].get(ref_name)
        if ref_value is not None:
            ref_value *= scale
        value = _find_metric(metrics, ours_name)
        if ref_value is not None and math.isnan(ref_value) and (
                value is None or math.isnan(value)):
            continue  # no sample of this kind on either side
        if ref_value is None or value is None or not abs(
                ref_value - value) <= METRIC_TOL:
            bad.append(f'metric {ours_name}: reference {ref_name}='
                       f'{ref_value}, ours {value}')
    return bad


def _find_metric(metrics: Dict[str, float], name: str):
    """A metric by name, with or without the evaluator's prefix."""
    if name in metrics:
        return float(metrics[name])
    hits = [v for k, v in metrics.items() if k.split('/')[-1] == name]
    return float(hits[0]) if len(hits) == 1 else None


def compare_judge_requests(ref: List[dict], ours: List[dict]) -> List[str]:
    """Differences of the judge request bodies (messages, model, sampling
    options and every other field), request by request.

    Args:
        ref (list[dict]): The bodies the reference's judge script sent.
        ours (list[dict]): Ours, in the same (sample) order.

    Returns:
        list[str]: One line per difference; empty when they agree.
    """
    bad = []
    if len(ref) != len(ours):
        bad.append(f'{len(ref)} reference judge requests, {len(ours)} ours')
    for i, (r, o) in enumerate(zip(ref, ours)):
        for key in sorted(set(r) | set(o)):
            if key not in o:
                bad.append(f'judge request {i}: {key!r} missing (reference '
                           f'{r[key]!r})')
            elif key not in r:
                bad.append(f'judge request {i}: {key!r} not in the '
                           f"reference's (ours {o[key]!r})")
            elif r[key] != o[key]:
                bad.append(f'judge request {i}: {key!r} differs: reference '
                           f'{str(r[key])[:300]!r}, '
                           f'ours {str(o[key])[:300]!r}')
    return bad


def read_pred_pngs(root: str) -> Dict[str, dict]:
    """The mask PNGs under ``root`` (a submission's ``<video>/<expression>/
    <frame>.png``).

    Returns:
        dict: relative path -> ``dict(values=[...], rle=...)``: the pixel
        values present and the COCO RLE of the pixels above 0.
    """
    from PIL import Image
    from pycocotools import mask as mask_utils
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith('.png'):
                continue
            path = osp.join(folder, name)
            pixels = np.asarray(Image.open(path))
            rle = mask_utils.encode(
                np.asfortranarray((pixels > 0).astype(np.uint8)))
            out[osp.relpath(path, root).replace(os.sep, '/')] = dict(
                values=sorted(int(v) for v in np.unique(pixels)),
                rle=dict(size=rle['size'], counts=rle['counts'].decode()))
    return out


def compare_pred_files(ref: Dict[str, dict],
                       ours: Dict[str, dict]) -> List[str]:
    """Differences of the written mask PNGs: the same files, the same pixel
    values, per expression IoU >= :data:`MIN_IOU`."""
    bad = []
    if sorted(ref) != sorted(ours):
        missing = sorted(set(ref) - set(ours))[:5]
        extra = sorted(set(ours) - set(ref))[:5]
        bad.append(f'prediction files differ: {len(ref)} reference, '
                   f'{len(ours)} ours; missing {missing}, extra {extra}')
    by_exp: Dict[str, List[str]] = {}
    for path in sorted(set(ref) & set(ours)):
        by_exp.setdefault(osp.dirname(path), []).append(path)
        if ref[path]['values'] != ours[path]['values']:
            bad.append(f'{path}: pixel values {ours[path]["values"]}, '
                       f'reference {ref[path]["values"]}')
    for exp, paths in by_exp.items():
        iou = masklet_iou([ref[p]['rle'] for p in paths],
                          [ours[p]['rle'] for p in paths])
        if iou < MIN_IOU:
            bad.append(f'{exp}: written masks IoU {iou:.4f}')
    return bad
