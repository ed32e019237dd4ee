"""Your own data: images or videos with object masks and conversations, in
JSON lines (see docs/custom_data.md).

One line per sample::

    {"image": "images/0001.jpg",
     "objects": [{"id": "dog", "masks": ["masks/0001_dog.png"]}],
     "conversations": [{"question": "Where is the dog?",
                        "answer": "It is <seg>."}]}

- ``image`` (an image file) or ``video`` (a video file or a folder of
  frame images), relative to ``data_root``;
- ``objects``: per object an optional ``id`` and ``masks``, one entry per
  frame (``null`` where the object is absent): a COCO RLE
  ``{"size": [h, w], "counts": ...}``, a PNG path (pixels of value 255 are
  the object) or ``{"png": path, "ids": [...]}`` (an index PNG and the
  object's values);
- ``conversations``: turns of ``question`` and ``answer``. ``<seg>`` in an
  answer asks for an object's mask, ``<ref>`` in a question points at an
  object (a point or box drawn from its mask); the k-th placeholder of the
  sample is ``objects[k]``. A sample uses one kind of placeholder, or none
  (a plain conversation).
"""
import json
import os.path as osp
from typing import List

from unipixel_mm.registry import DATASETS
from unipixel_mm.text import REF_TOKEN, SEG_TOKEN
from .base_pixel_dataset import BasePixelDataset

PLACEHOLDERS = {'<seg>': SEG_TOKEN, '<ref>': REF_TOKEN}


@DATASETS.register_module()
class CustomPixelDataset(BasePixelDataset):
    """Images or videos, masks and conversations from a JSON-lines file.

    The task form of a sample follows its placeholders: ``seg`` with
    ``<seg>``, ``ref`` with ``<ref>``, ``chat`` with none.

    Args (of :class:`BasePixelDataset`, among others):
        ann_file (str): The JSON-lines file, relative to ``data_root``.
        data_root (str): Folder the paths of the file are relative to.
        pipeline (list[dict]): The transforms.
    """

    def load_data_list(self) -> List[dict]:
        """Reads one data info per line of the annotation file.

        Raises:
            ValueError: naming the file, the line and the field of a line
                that is not JSON or lacks a field.
        """
        with open(self.ann_file) as f:
            lines = [(i, line) for i, line in enumerate(f, 1) if line.strip()]
        return [self._parse_line(line, f'{self.ann_file}:{i}')
                for i, line in lines]

    def _parse_line(self, line: str, entry: str) -> dict:
        try:
            sample = json.loads(line.strip())
        except json.JSONDecodeError as e:
            raise ValueError(f'{entry}: not a JSON object ({e.msg} at '
                             f'column {e.colno})') from e
        if not isinstance(sample, dict):
            raise ValueError(f'{entry}: not a JSON object')
        try:
            return self._parse(sample, entry)
        except KeyError as e:
            raise ValueError(f'{entry}: missing field {e}') from e
        except (TypeError, AttributeError) as e:
            raise ValueError(f'{entry}: a field has the wrong type ({e})')

    def _path(self, path: str) -> str:
        return osp.join(self.data_root, path)

    def _mask(self, entry):
        if isinstance(entry, str):
            return dict(path=self._path(entry))
        if isinstance(entry, dict) and 'png' in entry:
            return dict(path=self._path(entry['png']), ids=entry['ids'])
        return entry

    def _parse(self, sample: dict, entry: str) -> dict:
        if ('image' in sample) == ('video' in sample):
            raise ValueError(f'{entry}: give either "image" or "video"')
        # a mask of another size than its frame is a mistake here, not a
        # lower-resolution annotation to resize
        info = dict(entry=entry, source='custom', strict_mask_size=True)
        if 'image' in sample:
            info['img_path'] = self._path(sample['image'])
        else:
            info['video_path'] = self._path(sample['video'])
        objects = [
            dict(
                oid=str(obj.get('id', o)),
                masks=[self._mask(m) for m in obj['masks']])
            for o, obj in enumerate(sample.get('objects', []))
        ]
        texts = [
            t['question'] + t['answer'] for t in sample['conversations']
        ]
        used = [p for p in PLACEHOLDERS if any(p in t for t in texts)]
        if len(used) > 1:
            raise ValueError(f'{entry}: a sample uses <seg> or <ref>, not '
                             'both')
        info['task'] = {'<seg>': 'seg', '<ref>': 'ref'}.get(
            used[0] if used else None, 'chat')
        turns, next_obj = [], 0
        for turn in sample['conversations']:
            num = sum(turn['question'].count(p) + turn['answer'].count(p)
                      for p in PLACEHOLDERS)
            turns.append(
                dict(
                    type='qa',
                    question=self._replace(turn['question']),
                    answer=self._replace(turn['answer']),
                    obj_inds=list(range(next_obj, next_obj + num))))
            next_obj += num
        if next_obj != len(objects):
            raise ValueError(f'{entry}: {next_obj} placeholder(s) for '
                             f'{len(objects)} object(s)')
        info.update(objects=objects, turns=turns)
        return info

    @staticmethod
    def _replace(text: str) -> str:
        for placeholder, token in PLACEHOLDERS.items():
            text = text.replace(placeholder, token)
        return text
