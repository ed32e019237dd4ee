"""ReasonSeg: reasoning segmentation of images (LISA).

On-disk format: ``{split}/{name}.jpg`` with a LabelMe-style
``{split}/{name}.json`` beside it: ``text`` (a list of queries),
``is_sentence`` (whether they are full sentences) and ``shapes``, polygons
``dict(label='target' | 'ignore' | 'flag', points=[[x, y], ...],
shape_type='polygon', image_name='{name}.jpg')``. The training split adds
``explanatory/train.json``, a list of ``dict(image='{name}.jpg', query=...,
outputs=...)``: a question whose answer explains the mask.
"""
import os.path as osp
from typing import List

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset
from .utils import list_files, load_annotation


@DATASETS.register_module()
class ReasonSegDataset(BasePixelDataset):
    """ReasonSeg, one sample per query (and per explanation), as the
    reference flattens it.

    The target mask of an image is its ``'target'`` polygons minus the
    ``'ignore'`` ones (drawn largest first, see
    :func:`~unipixel_mm.datasets.transforms.loading.draw_labelme`);
    ``'flag'`` shapes are dropped. Queries are ``'sentence'`` turns when
    ``is_sentence`` is set, else ``'query'`` turns.

    Args:
        data_root (str): The ``ReasonSeg`` folder.
        split (str): ``'train'``, ``'val'`` or ``'test'``; the image folder.
        explanatory_file (str, optional): The explanations of the training
            split, relative to ``data_root``; None leaves them out. Every
            entry must name an image of the split.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'reason_seg'

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 explanatory_file: str = 'explanatory/train.json',
                 **kwargs) -> None:
        self.split = split
        self.explanatory_file = explanatory_file
        super().__init__(
            data_root=data_root, data_prefix=dict(img_path=split), **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per query and per explanation."""
        images = list_files(self.data_prefix['img_path'], ('.jpg', ),
                            f'{self.SOURCE} {self.split} image')
        explanations = self._load_explanations()
        data_list = []
        for img_path in images:
            name = osp.splitext(osp.basename(img_path))[0]
            ann_file = f'{img_path[:-4]}.json'
            meta = load_annotation(ann_file, f'{self.SOURCE} annotation')
            entry = f'{self.SOURCE} {self.split} {name}'
            obj = dict(masks=[dict(shapes=self._shapes(meta, name, ann_file))])
            if not isinstance(meta.get('text'), list):
                raise ValueError(f'{self.SOURCE} {ann_file}: "text" must be '
                                 'a list of queries')
            kind = 'sentence' if meta.get('is_sentence') else 'query'
            turns = [
                dict(type=kind, query=query, obj_inds=[0])
                for query in meta['text']
            ]
            if name in explanations:
                exp = explanations.pop(name)
                turns.append(
                    dict(
                        type='explanatory',
                        query=exp['query'],
                        answer=exp['outputs'],
                        obj_inds=[0]))
            for i, turn in enumerate(turns):
                qid = 'exp' if turn['type'] == 'explanatory' else i
                data_list.append(
                    dict(
                        img_path=img_path,
                        objects=[obj],
                        turns=[turn],
                        entry=f'{entry} query {qid}',
                        source=self.SOURCE))
        if explanations:
            raise ValueError(
                f'{self.SOURCE}: {len(explanations)} entries of '
                f'{self._explanatory_path()} name no {self.split} image, '
                f'e.g. {sorted(explanations)[:3]}')
        return data_list

    def _explanatory_path(self) -> str:
        return osp.join(self.data_root, self.explanatory_file)

    def _load_explanations(self) -> dict:
        if self.split != 'train' or not self.explanatory_file:
            return {}
        metas = load_annotation(self._explanatory_path(),
                                f'{self.SOURCE} explanatory file')
        return {osp.splitext(m['image'])[0]: m for m in metas}

    def _shapes(self, meta: dict, name: str, ann_file: str) -> List[dict]:
        """The target / ignore polygons of an image, validated."""
        shapes = []
        for i, shape in enumerate(meta.get('shapes', [])):
            where = f'{self.SOURCE} {ann_file} shape {i}'
            if shape.get('image_name', f'{name}.jpg') != f'{name}.jpg':
                raise ValueError(f"{where}: image_name "
                                 f"{shape['image_name']!r} is not {name}.jpg")
            if shape.get('shape_type') != 'polygon':
                raise ValueError(f'{where}: shape_type '
                                 f"{shape.get('shape_type')!r} is not polygon")
            if shape.get('label') not in ('target', 'ignore', 'flag'):
                raise ValueError(f"{where}: unknown label "
                                 f"{shape.get('label')!r}")
            if shape['label'] != 'flag':
                shapes.append(
                    dict(label=shape['label'], points=shape['points']))
        return shapes
