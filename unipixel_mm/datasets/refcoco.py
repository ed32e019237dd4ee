"""RefCOCO, RefCOCO+, RefCOCOg and RefCLEF: referring image segmentation.

On-disk format (the ``refer`` toolkit's): ``{data_root}/{dataset}/refs(
{split_by}).p`` is a pickled list of refs (``ref_id``, ``ann_id``,
``image_id``, ``split``, ``sentences`` with ``sent_id`` and ``sent``) and
``{data_root}/{dataset}/instances.json`` the COCO-style ``images`` and
``annotations`` (``segmentation`` as polygons or RLE) they point to.
"""
import json
import os.path as osp
import pickle
from collections import defaultdict
from typing import List

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset


def _in_split(ref_split: str, split: str) -> bool:
    """The ``refer`` toolkit's split rule (``testA`` also takes ``testAB``)."""
    if split in ('testA', 'testB', 'testC'):
        return split[-1] in ref_split
    if split == 'test':
        return 'test' in ref_split
    return ref_split == split


@DATASETS.register_module()
class RefCOCODataset(BasePixelDataset):
    """A referring segmentation set of the RefCOCO family.

    Training samples are images with one turn per sentence (a
    ``SampleObjects`` step keeps some); other splits give one sample per
    sentence, as the reference does.

    Args:
        data_root (str): Folder holding ``{dataset}/refs(...).p``.
        dataset (str): ``'refcoco'``, ``'refcoco+'``, ``'refcocog'`` or
            ``'refclef'``.
        split_by (str): ``'unc'``, ``'umd'`` or ``'google'``.
        split (str): ``'train'``, ``'val'``, ``'test'``, ``'testA'``...
        data_prefix (dict): ``img_path``: the image folder (COCO
            ``train2014`` or SAIAPR), relative to ``data_root``.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    def __init__(self,
                 data_root: str,
                 dataset: str = 'refcoco',
                 split_by: str = 'unc',
                 split: str = 'train',
                 data_prefix: dict = dict(
                     img_path='images/mscoco/images/train2014'),
                 **kwargs) -> None:
        self.dataset = dataset
        self.split_by = split_by
        self.split = split
        super().__init__(
            data_root=data_root,
            ann_file=osp.join(dataset, f'refs({split_by}).p'),
            data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Reads the refs and instances into one data info per image (train)
        or per sentence."""
        instances_file = osp.join(osp.dirname(self.ann_file), 'instances.json')
        for path in (self.ann_file, instances_file):
            if not osp.isfile(path):
                raise FileNotFoundError(f'{self.dataset}: annotation file '
                                        f'not found: {path}')
        with open(self.ann_file, 'rb') as f:
            refs = pickle.load(f)
        with open(instances_file) as f:
            instances = json.load(f)
        images = {img['id']: img for img in instances['images']}
        anns = {ann['id']: ann for ann in instances['annotations']}

        by_image = defaultdict(list)
        for ref in refs:
            if _in_split(ref['split'], self.split):
                by_image[ref['image_id']].append(ref)
        name = f'{self.dataset}({self.split_by})'
        data_list = []
        for image_id, image_refs in by_image.items():
            if image_id not in images:
                raise ValueError(f'{name} ref {image_refs[0]["ref_id"]}: '
                                 f'image {image_id} not in {instances_file}')
            img = images[image_id]
            objects, turns = [], []
            for ref in image_refs:
                if ref['ann_id'] not in anns:
                    raise ValueError(f"{name} ref {ref['ref_id']}: annotation "
                                     f"{ref['ann_id']} not in "
                                     f'{instances_file}')
                seg = anns[ref['ann_id']]['segmentation']
                objects.append(dict(masks=[seg], oid=str(ref['ref_id'])))
                turns += [
                    dict(
                        type='query',
                        query=sent['sent'],
                        obj_inds=[len(objects) - 1],
                        sent_id=sent['sent_id']) for sent in ref['sentences']
                ]
            info = dict(
                img_path=osp.join(self.data_prefix['img_path'],
                                  img['file_name']),
                ann_size=(img['height'], img['width']),
                source=self.dataset)
            if self.split == 'train':
                data_list.append(
                    dict(
                        info,
                        objects=objects,
                        turns=turns,
                        entry=f'{name} image {image_id}'))
                continue
            for turn in turns:
                obj = objects[turn['obj_inds'][0]]
                data_list.append(
                    dict(
                        info,
                        objects=[obj],
                        turns=[dict(turn, obj_inds=[0])],
                        entry=f"{name} sent {turn['sent_id']}"))
        return data_list
