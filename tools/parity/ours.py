"""Our side of the evaluation parity check: ``tools/test.py`` on a family's
data with the harness checkpoint, recording every generation call like
``reference_shim/sitecustomize.py`` does for the reference."""
import importlib.util
import os.path as osp
import sys
from contextlib import ExitStack, contextmanager
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: The model (and runtime) config; the official checkpoint's architecture
#: replaces its model.
MODEL_CONFIG = osp.join(ROOT, 'configs', 'unipixel_3b.py')
GREEDY_KEYS = ('do_sample', 'max_new_tokens')


def _stats(tensor: torch.Tensor) -> list:
    t = tensor.detach().double()
    return [list(tensor.shape), float(t.sum()), float(t.abs().sum())]


def rles(mask: torch.Tensor) -> List[dict]:
    """COCO RLEs of a (T, H, W) bool mask."""
    from pycocotools import mask as mask_utils
    out = []
    for frame in mask.cpu().numpy().astype(np.uint8):
        rle = mask_utils.encode(np.asfortranarray(frame))
        out.append(dict(size=rle['size'], counts=rle['counts'].decode()))
    return out


def _llm_files(meta: dict) -> list:
    """Base names of the files the LLM sees (a video file: its name)."""
    paths = meta.get('parity_frame_paths')
    if paths is None:
        return osp.basename(meta.get('video_path') or '')
    return [osp.basename(p) for p in paths]


@contextmanager
def recording(calls: List[dict]):
    """Records every ``UniPixel.generate`` call into ``calls``."""
    from unipixel_mm.datasets.transforms import PackUniPixelInputs
    from unipixel_mm.models.unipixel import UniPixel

    pack, generate = PackUniPixelInputs.transform, UniPixel.generate

    def recording_pack(self, results):
        out = pack(self, results)
        paths = results.get('frame_paths')
        if results.get('img_path'):
            paths = [results['img_path']]
        elif paths is None and results.get('video_path') and osp.isdir(
                results['video_path']):
            from unipixel_mm.datasets.transforms.loading import \
                list_frame_files
            paths = list_frame_files(results['video_path'])
        inds = results.get('frame_inds', [])
        llm = results.get('llm_frame_inds', range(len(inds)))
        meta = dict(parity_frame_inds=[inds[i] for i in llm])
        if paths is not None:
            meta['parity_frame_paths'] = [paths[inds[i]] for i in llm]
        out['data_samples'].set_metainfo(meta)
        return out

    def recording_generate(self, inputs, data_samples=None, **kwargs):
        results = generate(self, inputs, data_samples, **kwargs)
        for b, result in enumerate(results):
            meta = data_samples[b].metainfo if data_samples else {}
            entry = dict(
                files=_llm_files(meta),
                frame_inds=meta.get('parity_frame_inds'),
                input_ids=_attended(inputs, b),
                generation={k: kwargs.get(k)
                            for k in GREEDY_KEYS},
                output_ids=result.ids.tolist(),
                masks=[rles(m) for m in result.masks],
                frame_size=list(meta.get('frame_size', ())))
            if 'video_grid_thw' in inputs:
                entry['video_grid_thw'] = inputs['video_grid_thw'][b].tolist()
                entry['second_per_grid_ts'] = float(
                    torch.as_tensor(inputs['second_per_grid_ts']).view(-1)[b])
                entry['pixel_values_videos'] = _stats(
                    inputs['pixel_values_videos'])
            if inputs.get('frames') is not None:
                entry['frames'] = _stats(inputs['frames'][b])
            prompt_masks = data_samples[b].get(
                'prompt_masks') if data_samples else None
            if prompt_masks is not None and prompt_masks.size(1) > 0:
                # the mask prompt on the merged vision-token grid
                entry['refer_mask'] = [_stats(prompt_masks)]
            calls.append(entry)
        return results

    PackUniPixelInputs.transform = recording_pack
    UniPixel.generate = recording_generate
    try:
        yield calls
    finally:
        PackUniPixelInputs.transform = pack
        UniPixel.generate = generate


def prompt_kinds(calls: List[dict]) -> List[List[str]]:
    """The point / box kind of each object, per call that gave prompts
    (the labels of a point are 1, of a box's corners 2 and 3)."""
    kinds = []
    for call in calls:
        labels = call.get('point_labels')
        if labels is None:
            continue
        kinds.append([
            'point' if 1 in np.asarray(obj).reshape(-1).tolist() else 'box'
            for obj in labels[0]
        ])
    return kinds


@contextmanager
def given_prompt_kinds(kinds: List[List[str]]):
    """``SamplePrompts`` takes the prompt kinds of each sample in turn from
    ``kinds`` (the reference's recorded draws) instead of drawing them."""
    from unipixel_mm.datasets.transforms import SamplePrompts
    draw = SamplePrompts.__dict__['_kinds']
    queue = list(kinds)

    def recorded(prompt_type, num_objs):
        if not queue:
            raise RuntimeError('more samples than recorded prompt kinds')
        given = queue.pop(0)
        if len(given) != num_objs:
            raise RuntimeError(f'{num_objs} objects, recorded kinds {given}')
        return given

    SamplePrompts._kinds = staticmethod(recorded)
    try:
        yield
    finally:
        SamplePrompts._kinds = draw
    if queue:
        raise RuntimeError(f'{len(queue)} recorded prompt kinds not used')


def _attended(inputs: dict, b: int) -> List[int]:
    """The prompt ids of sample ``b`` without padding."""
    ids = inputs['input_ids'][b]
    mask = inputs.get('attention_mask')
    if mask is not None:
        ids = ids[mask[b].bool()]
    return ids.tolist()


def _test_tool():
    """``tools/test.py`` as a module; its imports of sibling scripts
    (``runner_args``) resolve as when it runs as a script."""
    tools = osp.join(ROOT, 'tools')
    if tools not in sys.path:
        sys.path.append(tools)
    spec = importlib.util.spec_from_file_location(
        'unipixel_test_tool', osp.join(tools, 'test.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_ours(family,
             values: Dict[str, str],
             model_dir: str,
             sam2_yaml: str,
             work_dir: str,
             extra_args: Sequence[str] = (),
             prompt_kinds: Optional[List[List[str]]] = None
             ) -> Tuple[List[dict], Dict[str, float]]:
    """Runs ``tools/test.py`` on one family's data in this process.

    Args:
        family (Family): The family (its config and options).
        values (dict): The writer's values (absolute paths).
        model_dir (str): The harness checkpoint.
        sam2_yaml (str): Its SAM2 yaml.
        work_dir (str): Work directory of the run.
        extra_args (Sequence[str]): More arguments of ``tools/test.py``
            (such as ``--out``).
        prompt_kinds (list[list[str]], optional): The point / box kind of
            each object per sample, see :func:`given_prompt_kinds`.

    Returns:
        tuple: the recorded calls and the metrics.
    """
    tool = _test_tool()
    sam2_size = _official_sam2_size(model_dir)
    options = [o.format(work_dir=work_dir, **values) for o in family.options]
    options += [
        f'processor={model_dir}', 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ]
    options += _sam2_size_options(family, sam2_size)
    argv = [
        'test.py',
        osp.join(ROOT, 'configs', 'benchmarks', family.config), model_dir,
        '--model-config', MODEL_CONFIG, '--sam2-config', sam2_yaml,
        '--work-dir', work_dir, *extra_args, '--cfg-options', *options
    ]
    old_argv, sys.argv = sys.argv, argv
    try:
        args = tool.parse_args()
    finally:
        sys.argv = old_argv
    calls: List[dict] = []
    with ExitStack() as stack:
        stack.enter_context(recording(calls))
        if prompt_kinds is not None:
            stack.enter_context(given_prompt_kinds(prompt_kinds))
        metrics = tool.test(args)
    return calls, metrics


def _official_sam2_size(model_dir: str) -> int:
    import json
    with open(osp.join(model_dir, 'config.json')) as f:
        return int(json.load(f)['sam2_image_size'])


def _sam2_size_options(family, size: int) -> List[str]:
    """The SAM2 frame size of the checkpoint (the reference reads it from
    ``config.json``; our benchmark configs say 768, the official one)."""
    from mmengine.config import Config
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'benchmarks', family.config))
    pipeline = cfg.test_dataloader.dataset.pipeline
    return [
        f'test_dataloader.dataset.pipeline.{i}.size={size}'
        for i, step in enumerate(pipeline) if step['type'] == 'SAM2Resize'
    ]
