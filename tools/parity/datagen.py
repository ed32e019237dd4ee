"""Small benchmark data sets in their real on-disk layouts, from a seed.

Each writer fills ``root`` (the working directory of the reference's
scripts, which read fixed ``data/...`` paths) with two or three samples
of one benchmark, drawn from a :class:`numpy.random.Generator`: images of
coloured shapes on noise, and the objects' masks as the benchmark stores
them (polygons, COCO RLEs or PNG label maps). The same seed writes the same
files.
"""
import json
import os
import os.path as osp
import pickle
from typing import Dict, List, Sequence, Tuple

import numpy as np
from PIL import Image

WORDS = ['red', 'green', 'blue', 'yellow']
SHAPES = ['circle', 'square', 'triangle']


def _mkdir(path: str) -> str:
    os.makedirs(path, exist_ok=True)
    return path


def _dump(obj, path: str) -> None:
    _mkdir(osp.dirname(path))
    with open(path, 'w') as f:
        json.dump(obj, f)


def scene(rng: np.random.Generator, size: Tuple[int, int],
          num_objects: int = 2) -> Tuple[np.ndarray, List[np.ndarray]]:
    """An RGB image of boxes on noise and each box's mask.

    Returns:
        tuple: (H, W, 3) uint8 image and ``num_objects`` (H, W) bool masks.
    """
    h, w = size
    image = rng.integers(0, 80, (h, w, 3), dtype=np.uint8)
    masks = []
    for _ in range(num_objects):
        y0, x0 = int(rng.integers(0, h // 2)), int(rng.integers(0, w // 2))
        y1 = int(rng.integers(y0 + 4, h))
        x1 = int(rng.integers(x0 + 4, w))
        mask = np.zeros((h, w), bool)
        mask[y0:y1, x0:x1] = True
        image[mask] = rng.integers(100, 256, 3, dtype=np.uint8)
        masks.append(mask)
    return image, masks


def moving_scene(rng: np.random.Generator, size: Tuple[int, int],
                 num_frames: int, num_objects: int = 2):
    """Frames of boxes drifting over noise.

    Returns:
        tuple: (T, H, W, 3) uint8 frames and (T, O, H, W) bool masks.
    """
    h, w = size
    image, masks = scene(rng, size, num_objects)
    shifts = rng.integers(-2, 3, (num_objects, 2))
    frames, all_masks = [], []
    for t in range(num_frames):
        frame = rng.integers(0, 80, (h, w, 3), dtype=np.uint8)
        moved = []
        for o, mask in enumerate(masks):
            m = np.roll(mask, tuple(shifts[o] * t), axis=(0, 1))
            frame[m] = image[mask][0]
            moved.append(m)
        frames.append(frame)
        all_masks.append(moved)
    return np.stack(frames), np.array(all_masks)


def rle(mask: np.ndarray) -> dict:
    """The COCO RLE (string counts) of a bool mask."""
    from pycocotools import mask as mask_utils
    out = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return dict(size=[int(s) for s in out['size']],
                counts=out['counts'].decode())


def polygon(mask: np.ndarray) -> List[float]:
    """The corners of a box mask as a flat COCO polygon [x, y, ...]."""
    ys, xs = np.nonzero(mask)
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    return [float(v) for v in (x0, y0, x1, y0, x1, y1, x0, y1)]


def phrase(rng: np.random.Generator) -> str:
    """A referring phrase such as ``'the red square'``."""
    return f'the {rng.choice(WORDS)} {rng.choice(SHAPES)}'


def write_refcoco(root: str, rng: np.random.Generator,
                  dataset: str = 'refcoco', split_by: str = 'unc',
                  split: str = 'val') -> Dict[str, str]:
    """RefCOCO / + / g in the ``refer`` toolkit's layout under
    ``data/lisa/refer_seg``: two images, three refs of ``split`` (polygons, as
    all of RefCOCO's) and a train ref.

    Returns:
        dict: ``data_root`` (relative to ``root``) of the refer files.
    """
    data_root = 'data/lisa/refer_seg'
    img_dir = _mkdir(
        osp.join(root, data_root, 'images/mscoco/images/train2014'))
    images, anns, refs = [], [], []
    sent_id = 100 + int(rng.integers(0, 100))
    for i, size in enumerate([(48, 64), (56, 56)], 1):
        name = f'COCO_train2014_{i:012d}.jpg'
        image, masks = scene(rng, size)
        Image.fromarray(image).save(osp.join(img_dir, name))
        images.append(dict(id=i, file_name=name, height=size[0],
                           width=size[1]))
        for o, mask in enumerate(masks):
            ys, xs = np.nonzero(mask)
            ann_id = 10 * i + o
            anns.append(dict(id=ann_id, image_id=i, category_id=1,
                             bbox=[float(xs.min()), float(ys.min()),
                                   float(xs.max() + 1 - xs.min()),
                                   float(ys.max() + 1 - ys.min())],
                             segmentation=[polygon(mask)],
                             area=float(mask.sum()), iscrowd=0))
            sent = phrase(rng)
            sents = [dict(sent_id=sent_id, sent=sent, raw=sent,
                          tokens=sent.split())]
            sent_id += 1
            refs.append(dict(ref_id=len(refs), ann_id=ann_id, image_id=i,
                             category_id=1, file_name=name,
                             sent_ids=[s['sent_id'] for s in sents],
                             split='train' if (i, o) == (1, 1) else split,
                             sentences=sents))
    folder = _mkdir(osp.join(root, data_root, dataset))
    with open(osp.join(folder, f'refs({split_by}).p'), 'wb') as f:
        pickle.dump(refs, f)
    _dump(dict(images=images, annotations=anns,
               categories=[dict(id=1, name='thing')]),
          osp.join(folder, 'instances.json'))
    return dict(data_root=data_root)


def write_reason_seg(root: str, rng: np.random.Generator,
                     split: str = 'val') -> Dict[str, str]:
    """ReasonSeg (LISA's layout, ``data/lisa/reason_seg/ReasonSeg/<split>``):
    one image with two phrases, one target and an ``ignore`` polygon, one
    with a sentence.

    Returns:
        dict: ``data_root`` of the ReasonSeg folder.
    """
    data_root = 'data/lisa/reason_seg/ReasonSeg'
    folder = _mkdir(osp.join(root, data_root, split))
    for name, sentence in (('img_a', False), ('img_b', True)):
        image, masks = scene(rng, (48, 56))
        Image.fromarray(image).save(osp.join(folder, f'{name}.jpg'))

        def shape(label, mask):
            pts = np.array(polygon(mask)).reshape(-1, 2).tolist()
            return dict(label=label, points=pts, group_id=None,
                        shape_type='polygon', flags={},
                        image_name=f'{name}.jpg')

        shapes = [shape('target', masks[0])]
        if not sentence:
            shapes.append(shape('ignore', masks[1]))
        text = ['What is the brightest thing here?'] if sentence else [
            phrase(rng), phrase(rng)]
        _dump(dict(text=text, is_sentence=sentence, shapes=shapes),
              osp.join(folder, f'{name}.json'))
    return dict(data_root=data_root)


def _write_video_frames(folder: str, frames: np.ndarray) -> List[str]:
    """Saves frames as ``00000.jpg``, ``00005.jpg``, ... (the 5-step names
    of YouTube-VOS style clips); returns the names without extension."""
    _mkdir(folder)
    names = [f'{5 * t:05d}' for t in range(len(frames))]
    for name, frame in zip(names, frames):
        Image.fromarray(frame).save(osp.join(folder, f'{name}.jpg'))
    return names


def _video_expressions(rng, root, frame_root, videos, anno_start=0,
                       with_type=False):
    """Frames, expressions and the RLE mask dict of referring videos.

    Args:
        videos (list[tuple]): (video id, number of frames) pairs.

    Returns:
        tuple: the ``videos`` meta dict, the mask dict and per video the
        objects' (T, O, H, W) masks.
    """
    meta, mask_dict, all_masks = {}, {}, {}
    anno_id = anno_start
    for v, (vid, num_frames) in enumerate(videos):
        frames, masks = moving_scene(rng, (40, 48), num_frames)
        names = _write_video_frames(osp.join(root, frame_root, vid), frames)
        all_masks[vid] = masks
        ids = []
        for o in range(masks.shape[1]):
            mask_dict[str(anno_id)] = [
                rle(masks[t, o]) if masks[t, o].any() else None
                for t in range(num_frames)
            ]
            ids.append(anno_id)
            anno_id += 1
        expressions = {}
        for q, objs in enumerate([[0], [1], [0, 1]][:2 + v]):
            exp = dict(exp=phrase(rng) + ('?' if q == 2 else ''),
                       obj_id=objs, anno_id=[ids[o] for o in objs])
            if with_type:
                exp['type_id'] = q % 2
            expressions[str(q)] = exp
        meta[vid] = dict(frames=names, expressions=expressions)
    return meta, mask_dict, all_masks


def write_revos(root: str, rng: np.random.Generator) -> Dict[str, str]:
    """ReVOS valid (``data/revos``): two clips (6 and 18 frames, the LLM
    sees 16 of them), referring and reasoning expressions, the mask dict
    and each video's foreground (its objects stacked, one RLE channel
    each).

    Returns:
        dict: ``data_root``.
    """
    data_root = 'data/revos'
    meta, mask_dict, masks = _video_expressions(
        rng, root, data_root, [('MOSE/a1', 6), ('UVO/b2', 18)],
        with_type=True)
    foreground = {}
    for vid, m in masks.items():
        foreground[vid] = dict(masks_rle=[
            rle_stack(m[t]) for t in range(len(m))
        ])
    _dump(dict(videos=meta),
          osp.join(root, data_root, 'meta_expressions_valid_.json'))
    _dump(mask_dict, osp.join(root, data_root, 'mask_dict.json'))
    _dump(foreground, osp.join(root, data_root, 'mask_dict_foreground.json'))
    return dict(data_root=data_root)


def rle_stack(masks: np.ndarray) -> dict:
    """One multi-channel COCO RLE of (O, H, W) masks (as ReVOS stores a
    frame's foreground): a list, one entry per object."""
    return [rle(m) for m in masks]


def write_mevis_valid_u(root: str,
                        rng: np.random.Generator) -> Dict[str, str]:
    """MeViS valid_u (``data/mevis/valid_u``): two clips of 5 and 3 frames.

    Returns:
        dict: ``data_root``.
    """
    data_root = 'data/mevis/valid_u'
    meta, mask_dict, _ = _video_expressions(
        rng, root, osp.join(data_root, 'JPEGImages'), [('v1', 5),
                                                       ('v2', 3)])
    _dump(dict(videos=meta),
          osp.join(root, data_root, 'meta_expressions.json'))
    _dump(mask_dict, osp.join(root, data_root, 'mask_dict.json'))
    return dict(data_root=data_root)


def _write_unlabelled_videos(root: str, rng: np.random.Generator,
                             frame_root: str, meta_file: str,
                             clips: Sequence[Tuple[str, int]]) -> None:
    """Frames of a split released without masks and its
    ``meta_expressions.json``: two expressions a clip (``exp`` only).

    Args:
        root (str): The data root the paths are under.
        rng (np.random.Generator): Draws the clips and the phrases.
        frame_root (str): Folder of the clips' frame folders.
        meta_file (str): Path of ``meta_expressions.json``.
        clips (Sequence[tuple[str, int]]): (video id, frame count) each.
    """
    meta = {}
    for vid, num_frames in clips:
        frames, _ = moving_scene(rng, (40, 48), num_frames)
        names = _write_video_frames(osp.join(root, frame_root, vid), frames)
        meta[vid] = dict(frames=names, expressions={
            str(e): dict(exp=phrase(rng)) for e in range(2)
        })
    _dump(dict(videos=meta), osp.join(root, meta_file))


def write_mevis_valid(root: str,
                      rng: np.random.Generator) -> Dict[str, str]:
    """MeViS valid (``data/mevis/valid``, no masks released): two clips of
    4 and 3 frames, two expressions each (``exp`` only, as released).

    Returns:
        dict: ``data_root``.
    """
    data_root = 'data/mevis/valid'
    _write_unlabelled_videos(root, rng, osp.join(data_root, 'JPEGImages'),
                             osp.join(data_root, 'meta_expressions.json'),
                             [('m0e1', 4), ('3fa2', 3)])
    return dict(data_root=data_root)


def write_ref_davis17(root: str, rng: np.random.Generator) -> Dict[str, str]:
    """Ref-DAVIS17 valid (``data/ref_davis17``): two clips, and
    ``valid/mask_dict.pkl`` keyed by the running index over the sorted
    videos and expression ids (the key of the official ``get_meta_exp``;
    the reference's data loader counts in file order, so the file lists
    them sorted, as the released one).

    Returns:
        dict: ``data_root``.
    """
    data_root = 'data/ref_davis17'
    frame_root = osp.join(data_root, 'DAVIS/JPEGImages/480p')
    meta, masks = {}, {}
    for vid, num_frames in (('bear', 3), ('zebra', 5)):
        frames, obj_masks = moving_scene(rng, (40, 48), num_frames)
        names = _write_video_frames(osp.join(root, frame_root, vid), frames)
        meta[vid] = dict(frames=names, expressions={
            eid: dict(exp=phrase(rng), obj_id=str(o))
            for eid, o in (('0', 1), ('1', 0))
        })
        masks[vid] = obj_masks
    mask_dict, idx = {}, 0
    for vid in sorted(meta):
        for eid in sorted(meta[vid]['expressions']):
            o = int(meta[vid]['expressions'][eid]['obj_id'])
            mask_dict[str(idx)] = [
                rle(m) if m.any() else None for m in masks[vid][:, o]
            ]
            idx += 1
    _dump(dict(videos=meta),
          osp.join(root, data_root,
                   'meta_expressions/valid/meta_expressions.json'))
    folder = _mkdir(osp.join(root, data_root, 'valid'))
    with open(osp.join(folder, 'mask_dict.pkl'), 'wb') as f:
        pickle.dump(mask_dict, f)
    return dict(data_root=data_root)


def write_ref_youtube_vos(root: str,
                          rng: np.random.Generator) -> Dict[str, str]:
    """Ref-YouTube-VOS valid (``data/ref_youtube_vos``, no masks): two
    clips of 4 and 3 frames, two expressions each.

    Returns:
        dict: ``data_root``.
    """
    data_root = 'data/ref_youtube_vos'
    _write_unlabelled_videos(
        root, rng, osp.join(data_root, 'valid/JPEGImages'),
        osp.join(data_root, 'meta_expressions/valid/meta_expressions.json'),
        [('a0c1', 4), ('0b7f', 3)])
    return dict(data_root=data_root)


def write_ref_sav(root: str, rng: np.random.Generator) -> Dict[str, str]:
    """Ref-SAV valid (``data/ref_sav/valid``): two clips of 4 and 3 frames
    with descriptions, the layout of MeViS.

    Returns:
        dict: ``data_root``.
    """
    data_root = 'data/ref_sav/valid'
    meta, mask_dict, _ = _video_expressions(
        rng, root, osp.join(data_root, 'videos'), [('sav_000001', 4),
                                                   ('sav_000002', 3)])
    _dump(dict(videos=meta),
          osp.join(root, data_root, 'meta_expressions_valid.json'))
    _dump(mask_dict, osp.join(root, data_root, 'mask_dict.json'))
    return dict(data_root=data_root)


GROUNDMORE_TYPES = ['Causal', 'Sequential', 'Counterfactual', 'Descriptive']


def write_groundmore(root: str, rng: np.random.Generator) -> Dict[str, str]:
    """GroundMoRe test (``data/groundmore``): two clips at 6 fps named
    ``..._MMSS_MMSS`` (26 frames ``frame_000000.jpg`` ... with label-map
    masks on every third, two questions; 8 frames ``0000000.jpg`` ..., of
    which the 20 sampled repeat some, one question), action windows inside
    the clips.

    Returns:
        dict: ``data_root``.
    """
    data_root = 'data/groundmore'
    videos = {}
    for v, (vid, num_frames, frame_style) in enumerate(
            (('yt_abc_0012_0017', 26, True), ('yt_xyz_0100_0102', 8,
                                              False))):
        frames, masks = moving_scene(rng, (36, 44), num_frames)
        folder = osp.join(root, data_root, 'annotations', vid)
        _mkdir(osp.join(folder, 'images'))
        _mkdir(osp.join(folder, 'masks'))
        for t, frame in enumerate(frames):
            stem = f'frame_{t:06d}' if frame_style else f'{t:07d}'
            Image.fromarray(frame).save(
                osp.join(folder, 'images', f'{stem}.jpg'))
            if t % 3 == 0:  # masks on every third frame
                label = np.zeros(frame.shape[:2], np.uint8)
                for o in range(masks.shape[1]):
                    label[masks[t, o]] = o + 1
                Image.fromarray(label, mode='L').convert('P').save(
                    osp.join(folder, 'masks', f'{stem}.png'))
        start = int(vid.split('_')[-2])
        base = start // 100 * 60 + start % 100
        questions = {}
        for q in range(2 - v):
            s = base + int(rng.integers(0, 2))
            e = s + 1 + int(rng.integers(0, 2))
            questions[str(q)] = dict(
                question=f'Who is next to {phrase(rng)}' + ('?' if q else ''),
                answer=phrase(rng),
                q_type=GROUNDMORE_TYPES[(2 * v + q) % 4],
                obj_id=str(q + 1),
                action_start=f'{s // 60:02d}:{s % 60:02d}',
                action_end=f'{e // 60:02d}:{e % 60:02d}')
        videos[vid] = dict(questions=questions)
    _dump(dict(videos=videos), osp.join(root, data_root, 'test_v2.json'))
    return dict(data_root=data_root)


def write_video(path: str, frames: np.ndarray, fps: int) -> None:
    """(N, H, W, 3) uint8 frames as an MPEG-4 file (PyAV)."""
    import av
    _mkdir(osp.dirname(path))
    with av.open(path, 'w') as container:
        stream = container.add_stream('mpeg4', rate=fps)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = 'yuv420p'
        for frame in frames:
            for packet in stream.encode(
                    av.VideoFrame.from_ndarray(frame, format='rgb24')):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _options(rng: np.random.Generator, num: int = 4) -> List[str]:
    picks = rng.choice(len(WORDS) * len(SHAPES), num, replace=False)
    return [f'the {WORDS[p % 4]} {SHAPES[p // 4]}' for p in picks]


def write_mvbench(root: str, rng: np.random.Generator) -> Dict[str, str]:
    """MVBench (``data/mvbench``): every task's ``json/<task>.json`` (most
    empty), two video-file questions (mp4, 8 fps: 3 s and 1.5 s) and one of
    the TVQA frame task (a folder of 40 ``00001.jpg`` ... frames).

    Returns:
        dict: ``data_root``.
    """
    from unipixel_mm.datasets.multimodal import MVBenchDataset
    data_root = 'data/mvbench'
    questions = {}
    for name, ann_file, folder, kind in MVBenchDataset.TASKS:
        questions[ann_file] = []
    for ann_file, folder, video, num_frames in (
            ('episodic_reasoning.json', 'tvqa/frames_fps3_hq', 'clip_a', 40),
            ('action_sequence.json', 'star/Charades_v1_480', 'AB12C.mp4', 24),
            ('moving_count.json', 'clevrer/video_validation',
             'video_10001.mp4', 12)):
        frames, _ = moving_scene(rng, (48, 64), num_frames)
        path = osp.join(root, data_root, 'video', folder, video)
        if video.endswith('.mp4'):
            write_video(path, frames, fps=8)
        else:
            for t, frame in enumerate(frames, 1):
                _mkdir(path)
                Image.fromarray(frame).save(osp.join(path, f'{t:05d}.jpg'))
        options = _options(rng, 3 + len(questions) % 2)
        questions[ann_file].append(
            dict(video=video,
                 question=f'Which object moves first in {phrase(rng)}?',
                 candidates=options,
                 answer=options[int(rng.integers(0, len(options)))]))
    for ann_file, entries in questions.items():
        _dump(entries, osp.join(root, data_root, 'json', ann_file))
    return dict(data_root=data_root)


def write_videomme(root: str, rng: np.random.Generator) -> Dict[str, str]:
    """Video-MME (``data/videomme``): the parquet annotation file and two
    mp4 videos (``videos_3fps_480_noaudio/<videoID>.mp4``, 3 fps, 4 s and
    2 s), one short and one medium question.

    Returns:
        dict: ``data_root``.
    """
    import pandas as pd
    data_root = 'data/videomme'
    rows = []
    for vid, num_frames, duration in (('fFjv93ACGo8', 12, 'short'),
                                      ('zz0CbbAbz1Q', 6, 'medium')):
        frames, _ = moving_scene(rng, (48, 64), num_frames)
        write_video(
            osp.join(root, data_root, 'videos_3fps_480_noaudio',
                     f'{vid}.mp4'), frames, fps=3)
        options = _options(rng)
        rows.append(
            dict(video_id=f'{len(rows):03d}', duration=duration,
                 domain='Knowledge', sub_category='Humanity & History',
                 url=f'https://www.youtube.com/watch?v={vid}', videoID=vid,
                 question_id=f'{len(rows):03d}-1', task_type='Counting',
                 question=f'How many objects are near {phrase(rng)}?',
                 options=np.array([f'{k}. {o}'
                                   for k, o in zip('ABCD', options)],
                                  dtype=object),
                 answer='ABCD'[int(rng.integers(0, 4))]))
    path = osp.join(_mkdir(osp.join(root, data_root)),
                    'test-00000-of-00001.parquet')
    pd.DataFrame(rows).to_parquet(path)
    return dict(data_root=data_root)


def write_videorefer_bench_q(
        root: str,
        rng: np.random.Generator,
        num_frames: Tuple[int, int] = (40, 10)) -> Dict[str, str]:
    """VideoRefer-Bench-Q (``data/videorefer/VideoRefer-Bench``): two mp4
    videos; one question about two objects annotated on every other frame
    (by default 20 of 40 frames: 16 sampled, the question's frame kept), one
    about one object (5 of 10 frames).

    Returns:
        dict: ``data_root``.
    """
    data_root = 'data/videorefer/VideoRefer-Bench'
    questions = []
    for video, num_frames, step, objs, qtype in (
            ('mevis_a.mp4', num_frames[0], 2, 2, 'Relationship Questions'),
            ('davis_b.mp4', num_frames[1], 2, 1, 'Basic Questions')):
        frames, masks = moving_scene(rng, (48, 64), num_frames)
        write_video(osp.join(root, data_root, 'videos', video), frames, 8)
        annotated = list(range(1, num_frames, step))
        annotation = []
        for o in range(objs):
            # the second object leaves after the first half
            keep = annotated if o == 0 else annotated[:len(annotated) // 2]
            annotation.append({
                str(t): dict(segmentation=rle(masks[t, o]))
                for t in keep
            })
        options = [f'({k}) {o}.' for k, o in zip('ABCD', _options(rng))]
        answer = options[int(rng.integers(0, 4))]
        regions = ' and '.join(f'<object{o}><region>' for o in range(objs))
        questions.append(dict(
            video=video, frame_idx=str(annotated[len(annotated) // 4]),
            type=qtype, Question=f'What are {regions} doing?',
            options=options, Answer=answer[:3], annotation=annotation))
    _dump(questions, osp.join(root, data_root, 'VideoRefer-Bench-Q.json'))
    return dict(data_root=data_root)


def write_videorefer_bench_d(root: str,
                             rng: np.random.Generator) -> Dict[str, str]:
    """VideoRefer-Bench-D (``data/videorefer/VideoRefer-Bench``): two mp4
    videos (``videos/Panda-70M-part``), one object each: one moving,
    annotated on 10 of 20 frames, one standing still (its caption says so:
    the judge stub gives it no temporal score), annotated on 7 frames.

    Returns:
        dict: ``data_root``.
    """
    data_root = 'data/videorefer/VideoRefer-Bench'
    entries = []
    videos = [('panda_a.mp4', 20, 2, True), ('panda_b.mp4', 7, 1, False)]
    for video, num_frames, step, moving in videos:
        frames, masks = moving_scene(rng, (48, 64), num_frames)
        if not moving:
            frames, masks = frames[:1].repeat(num_frames, 0), masks[:1].repeat(
                num_frames, 0)
        write_video(
            osp.join(root, data_root, 'videos', 'Panda-70M-part', video),
            frames, 8)
        annotated = list(range(0, num_frames, step))
        what = phrase(rng)
        caption = (f'{what[0].upper()}{what[1:]} slides across the noise.'
                   if moving else f'{what[0].upper()}{what[1:]} stays still '
                   'in the middle of the noise.')
        entries.append(
            dict(
                video=video,
                caption=caption,
                frame_idx=str(annotated[len(annotated) // 3]),
                annotation=[{
                    str(t): dict(segmentation=rle(masks[t, 0]))
                    for t in annotated
                }]))
    _dump(entries, osp.join(root, data_root, 'VideoRefer-Bench-D.json'))
    return dict(data_root=data_root)
