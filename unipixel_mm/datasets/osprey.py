"""Osprey-724K: region conversations and descriptions on COCO images.

On-disk format: a list of ``dict(id, file_name, height, width, annotation=
[dict(segmentation=polygons | RLE, ...)], ...)`` with either
``conversations`` (alternating human / gpt ``value`` texts that name
regions ``<region1>``, ``<region2>``, ... from 1;
``osprey_conversation.json``, ``osprey_lvis_positive_negative.json``) or
``description`` (``'<region1>: text'`` items;
``osprey_detail_description.json``). Region ``<regionN>`` is the
``N``-th annotation.
"""
import os.path as osp
import re
from typing import List, Optional

from mmengine.logging import print_log

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset, count_words
from .utils import load_annotation

_REGION = re.compile(r'<region(\d+)>')
#: The reference's repairs of malformed region tags.
_CONVERSATION_FIXES = (
    (re.compile(r'<region(\d+)]'), r'<region\1>'),
    (re.compile(r'<region(\d+).'), r'<region\1>'),
    (re.compile(r'<region (\d+)>'), r'<region\1>'),
    (re.compile(r'<region of(\d+)>'), r'<region\1>'),
)
_DESCRIPTION_FIXES = (
    (re.compile(r'<Region(\d+)>'), r'<region\1>'),
    (re.compile(r'<regin(\d+)>'), r'<region\1>'),
    (re.compile(r'<regin (\d+)>'), r'<region\1>'),
)


@DATASETS.register_module()
class OspreyDataset(BasePixelDataset):
    """Osprey region data (``region`` form: mask prompts, objects ``[N]``).

    Entries with malformed region tags (a bare ``<region>``, ``<region
    ...``) or a region number beyond the annotations are skipped and
    counted in the log, as the reference skips them.

    Args:
        data_root (str): Data root.
        ann_file (str): One of the Osprey JSON files.
        data_prefix (dict): ``img_path``: the folder of ``file_name``.
        kind (str): ``'conversation'`` (conversation and positive /
            negative files: every turn kept) or ``'description'`` (one
            ``'detailed_description'`` turn per region, asked with the
            reference's templates).
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    TASK = 'region'
    SOURCE = 'osprey'

    def __init__(self,
                 data_root: str = 'data/osprey',
                 ann_file: str = 'Osprey-724K/osprey_conversation.json',
                 data_prefix: dict = dict(img_path='coco/train2014'),
                 kind: str = 'conversation',
                 **kwargs) -> None:
        if kind not in ('conversation', 'description'):
            raise ValueError(f'unknown Osprey kind {kind!r}')
        self.kind = kind
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per valid entry."""
        raws = load_annotation(self.ann_file, 'Osprey file')
        name = osp.splitext(osp.basename(self.ann_file))[0]
        data_list, invalid = [], 0
        for raw in raws:
            parse = self._conversation if self.kind == 'conversation' \
                else self._description
            parsed = parse(raw)
            if parsed is None:
                invalid += 1
                continue
            turns, oids = parsed
            data_list.append(
                dict(
                    img_path=osp.join(self.data_prefix['img_path'],
                                      raw['file_name']),
                    ann_size=(raw['height'], raw['width']),
                    objects=[
                        dict(
                            masks=[
                                raw['annotation'][int(oid) -
                                                  1]['segmentation']
                            ],
                            oid=oid) for oid in oids
                    ],
                    turns=turns,
                    num_words=count_words(*[
                        t.get('question', '') + ' ' + t['answer']
                        for t in turns
                    ]),
                    entry=f"osprey {name} {raw['id']}",
                    source=f'osprey_{self.kind}'))
        if invalid:
            print_log(
                f'osprey {name}: {invalid} of {len(raws)} entries have '
                'malformed region tags, skipped',
                logger='current')
        return data_list

    @staticmethod
    def _oid(match: str, raw: dict) -> Optional[str]:
        """A region number as an id, None when it names no annotation."""
        oid = str(int(match))
        return oid if 0 < int(oid) <= len(raw['annotation']) else None

    def _conversation(self, raw: dict):
        """Turns and object ids of a conversation, None when malformed."""
        oids, values = [], []
        for conv in raw['conversations']:
            value = conv['value']
            if '<region>' in value:
                return None
            for pattern, repl in _CONVERSATION_FIXES:
                value = pattern.sub(repl, value)
            if '<region ' in value:
                return None
            for match in _REGION.findall(value):
                oid = self._oid(match, raw)
                if oid is None:
                    return None
                if oid not in oids:
                    oids.append(oid)
                value = value.replace(f'<region{match}>', f'[{oid}]', 1)
            values.append(value)
        if not oids or len(values) % 2:
            return None
        turns = []
        for question, answer in zip(values[::2], values[1::2]):
            used = re.findall(r'\[(\d+)\]', question + answer)
            turns.append(
                dict(
                    type='qa',
                    question=question,
                    answer=answer,
                    obj_inds=sorted({oids.index(o)
                                     for o in used if o in oids})))
        return turns, oids

    def _description(self, raw: dict):
        """One description turn per region, None when malformed."""
        oids, turns = [], []
        for desc in raw['description']:
            for pattern, repl in _DESCRIPTION_FIXES:
                desc = pattern.sub(repl, desc)
            desc = desc.strip()
            matches = _REGION.findall(desc)
            if len(matches) != 1:
                return None
            oid = self._oid(matches[0], raw)
            text = re.findall(r'<region\d+>: (.*)', desc)
            if oid is None or not text or not text[0]:
                return None
            if oid not in oids:
                oids.append(oid)
            turns.append(
                dict(
                    type='detailed_description',
                    query=f'[{oid}]',
                    answer=text[0],
                    obj_inds=[oids.index(oid)]))
        return (turns, oids) if turns else None
