"""tools/test.py against the reference's own evaluation scripts.

The fixture (``tests/data/eval_parity/``, or the folder in
``$UNIPIXEL_EVAL_PARITY_FIXTURE``) was recorded by
``tools/parity/eval_parity.py``: the reference's ``infer_*.py`` and
``eval_*.py`` on small data sets written from the fixture's seed, with the
harness's tiny official-format checkpoint. Here the same data are written
again from that seed and our benchmark configs evaluated on them: per
sample the same frame files, prompt ids, vision grid and fps, pixel values
and SAM2 frames, generation options, answer ids, masks (IoU >= 0.99) and
every metric within 0.1 points.
"""
import copy
import json
import os
import os.path as osp
import sys

import numpy as np
import pytest
from tool_module import ROOT

sys.path.insert(0, ROOT)
from tools.parity.checkpoint import build_parity_checkpoint  # noqa: E402
from tools.parity.compare import compare_family  # noqa: E402
from tools.parity.compare import compare_judge_requests  # noqa: E402
from tools.parity.compare import compare_pred_files  # noqa: E402
from tools.parity.compare import read_pred_pngs  # noqa: E402
from tools.parity.data import data_digest, write_family  # noqa: E402
from tools.parity.families import FAMILY_BY_NAME  # noqa: E402
from tools.parity.families import metric_names  # noqa: E402
from tools.parity.judge_stub import running_stub  # noqa: E402
from tools.parity.ours import prompt_kinds, run_ours  # noqa: E402

mask_utils = pytest.importorskip('pycocotools.mask')

FIXTURE = os.environ.get('UNIPIXEL_EVAL_PARITY_FIXTURE',
                         osp.join(ROOT, 'tests', 'data', 'eval_parity'))
PARITY = osp.join(ROOT, 'tests', 'data', 'parity', 'upstream_tiny')


def _meta() -> dict:
    path = osp.join(FIXTURE, 'meta.json')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'no evaluation parity fixture at {FIXTURE} (set '
            'UNIPIXEL_EVAL_PARITY_FIXTURE or restore tests/data/eval_parity)')
    with open(path) as f:
        return json.load(f)


META = _meta()


def _entry(name: str) -> dict:
    with open(osp.join(FIXTURE, f'{name}.json')) as f:
        return json.load(f)


@pytest.fixture(scope='module')
def model_dir(tmp_path_factory) -> str:
    """The harness checkpoint, rebuilt from the shared parity fixture."""
    return build_parity_checkpoint(
        osp.join(PARITY, 'checkpoint'),
        str(tmp_path_factory.mktemp('eval_parity') / 'model'))


def _run(name, model_dir, tmp_path, digest=None, judge=None):
    family = FAMILY_BY_NAME[name]
    values = write_family(family, str(tmp_path / 'data'), META['seed'])
    if digest is not None:
        assert data_digest(str(tmp_path / 'data')) == digest, (
            f'{name}: the files written from seed {META["seed"]} differ from '
            'the recorded ones (another JPEG / MPEG-4 encoder?)')
    if judge is not None:
        # the reference's system.txt, as a user copies it next to the data
        values['judge_url'] = judge.base_url
        values['judge_prompt_file'] = str(tmp_path / 'system.txt')
        (tmp_path / 'system.txt').write_text(
            _entry(name)['judge']['system_prompt'], encoding='utf-8')
    kinds = None
    if family.recorded_draws:  # the reference's random point / box kinds
        kinds = prompt_kinds(_entry(name)['calls'])
    return run_ours(family, values, model_dir,
                    osp.join(PARITY, 'sam2_tiny.yaml'),
                    str(tmp_path / 'work'), prompt_kinds=kinds)


@pytest.mark.parametrize('name', META['families'])
def test_family_matches_reference(name, model_dir, tmp_path, monkeypatch):
    entry = _entry(name)
    assert entry['calls'], 'the fixture recorded no sample'
    family = FAMILY_BY_NAME[name]
    problems = []
    if family.judge:
        # both sides' judge requests go to the same local endpoint
        monkeypatch.setenv('no_proxy', '127.0.0.1')
        monkeypatch.setenv('NO_PROXY', '127.0.0.1')
        with running_stub() as stub:
            calls, metrics = _run(name, model_dir, tmp_path,
                                  entry['data_digest'], stub)
        assert entry['judge']['requests'], 'the fixture recorded no request'
        problems += compare_judge_requests(entry['judge']['requests'],
                                           stub.requests)
    else:
        calls, metrics = _run(name, model_dir, tmp_path, entry['data_digest'])
    if family.metrics_file is None:  # the submission's mask PNGs
        assert entry['pred_files'], 'the fixture recorded no PNG'
        problems += compare_pred_files(
            entry['pred_files'],
            read_pred_pngs(str(tmp_path / 'work/submission/Annotations')))
    problems += compare_family(entry, calls, metrics,
                               metric_names(family, entry['metrics']),
                               family.metric_scale)
    assert problems == [], '\n'.join(problems)


def test_compare_finds_differences():
    """A changed answer, prompt, mask or metric is reported."""
    entry = _entry('refcoco_val')
    ref = entry['calls'][0]
    ours = dict(
        files=ref['vision'][0]['files'],
        input_ids=list(ref['input_ids']),
        generation=dict(do_sample=False,
                        max_new_tokens=ref['generation']['max_new_tokens']),
        output_ids=list(ref['output_ids']),
        masks=copy.deepcopy(ref['masks']),
        frame_size=ref['frame_size'][0],
        video_grid_thw=ref['video_grid_thw'][0],
        second_per_grid_ts=ref['second_per_grid_ts'][0],
        pixel_values_videos=ref['pixel_values_videos'],
        frames=ref['frames'])
    one = dict(entry, calls=[ref])
    names = FAMILY_BY_NAME[entry['family']].metrics
    ours_metrics = {k: entry['metrics'][v] for k, v in names.items()}
    assert compare_family(one, [ours], ours_metrics, names) == []

    changed = copy.deepcopy(ours)
    changed['input_ids'][-2] += 1
    changed['output_ids'] = changed['output_ids'][:-1]
    h, w = changed['masks'][0][0]['size']
    empty = mask_utils.encode(np.zeros((h, w, 1), np.uint8, order='F'))[0]
    changed['masks'][0] = [
        dict(size=[h, w], counts=empty['counts'].decode())
    ] * len(changed['masks'][0])
    bad_metrics = {k: v + 0.2 for k, v in ours_metrics.items()}
    problems = compare_family(one, [changed], bad_metrics, names)
    text = '\n'.join(problems)
    assert 'prompt ids' in text and 'answer ids' in text
    assert 'masklet 0' in text
    assert sum(p.startswith('metric') for p in problems) == len(names)


def test_compare_judge_requests_and_files_find_differences():
    """A judge request with another option or message layout, and a
    submission with a missing, a 0/1 or a changed mask PNG, are
    reported."""
    requests = _entry('videorefer_bench_d')['judge']['requests']
    assert compare_judge_requests(requests, copy.deepcopy(requests)) == []
    ours = copy.deepcopy(requests)
    ours[0]['temperature'] = 0.2
    ours[1]['messages'][1]['content'] = ours[1]['messages'][1]['content'][
        0]['text']
    del ours[1]['stop']
    text = '\n'.join(compare_judge_requests(requests, ours))
    assert "request 0: 'temperature' differs" in text
    assert "request 1: 'messages' differs" in text
    assert "request 1: 'stop' missing" in text
    assert compare_judge_requests(requests, ours[:1])[0] == (
        '2 reference judge requests, 1 ours')

    files = _entry('mevis_valid')['pred_files']
    assert compare_pred_files(files, copy.deepcopy(files)) == []
    ours = copy.deepcopy(files)
    paths = sorted(files)
    del ours[paths[0]]
    ours[paths[1]]['values'] = [0, 1]
    exp = osp.dirname(paths[-1])
    for path in paths:  # the complement: IoU 0 whatever the masks
        if osp.dirname(path) == exp:
            rle = dict(ours[path]['rle'])
            mask = mask_utils.decode(dict(rle, counts=rle['counts'].encode()))
            flipped = mask_utils.encode(np.asfortranarray(1 - mask))
            ours[path]['rle'] = dict(size=rle['size'],
                                     counts=flipped['counts'].decode())
    text = '\n'.join(compare_pred_files(files, ours))
    assert f"missing ['{paths[0]}']" in text
    assert f'{paths[1]}: pixel values [0, 1]' in text
    assert f'{exp}: written masks IoU 0.0000' in text


def _drop_anno_ids(root):
    """MeViS expressions in another layout (Ref-YouTube-VOS': no
    ``anno_id``)."""
    path = osp.join(root, 'data/mevis/valid_u/meta_expressions.json')
    with open(path) as f:
        meta = json.load(f)
    for video in meta['videos'].values():
        for exp in video['expressions'].values():
            exp.pop('anno_id')
    with open(path, 'w') as f:
        json.dump(meta, f)


@pytest.mark.parametrize('name,breaker,error,message', [
    ('refcoco_val', lambda root: os.remove(
        osp.join(root, 'data/lisa/refer_seg/refcoco/instances.json')),
     FileNotFoundError, r'refcoco: annotation file not found: .*refcoco/'
     r'instances\.json'),
    ('mevis_valid_u', _drop_anno_ids, ValueError,
     r"valid_u/meta_expressions\.json: mevis v1 expression 0: missing or "
     r"malformed field 'anno_id'"),
    ('revos', lambda root: os.remove(
        osp.join(root, 'data/revos/MOSE/a1/00005.jpg')), FileNotFoundError,
     r'revos MOSE/a1 expression 0 .*image file not found: .*MOSE/a1/'
     r'00005\.jpg'),
])
def test_bad_benchmark_folder_names_file_and_keeps_out(
        name, breaker, error, message, model_dir, tmp_path):
    """A missing file or an annotation in another layout stops the run with
    the file (and field) named; an earlier ``--out`` stays as it was."""
    family = FAMILY_BY_NAME[name]
    root = str(tmp_path / 'data')
    values = write_family(family, root, 0)
    breaker(root)
    out = tmp_path / 'preds.pkl'
    out.write_bytes(b'an earlier run')
    with pytest.raises(error, match=message):
        run_ours(family, values, model_dir,
                 osp.join(PARITY, 'sam2_tiny.yaml'), str(tmp_path / 'work'),
                 ['--out', str(out)])
    assert out.read_bytes() == b'an earlier run'
