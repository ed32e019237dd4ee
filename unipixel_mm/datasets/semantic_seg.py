"""Semantic and part segmentation sets used as referring data.

Two on-disk formats:

- label maps (ADE20K, COCO-Stuff, Mapillary Vistas as LISA prepares them):
  ``{seg_map folder}/{name}.png`` holds one class index per pixel and the
  image is ``{img folder}/{name}.jpg``. A sample is an image; every class
  present (but the ignored ids) is an object asked for by its class name.
- COCO-style part annotations (PACO-LVIS, PASCAL-Part): ``images``,
  ``annotations`` (``segmentation`` as polygons or RLE) and ``categories``
  named ``object`` or ``object:part`` (LVIS suffixes such as ``_(drink)``
  dropped); every annotation is an object asked for by its (object, part)
  name.

A ``SampleObjects`` step keeps ``max_turns`` classes / annotations of an
image per sample, as the reference keeps ``max_conv_turns``.
"""
import os.path as osp
from typing import List, Sequence

import numpy as np
from mmengine.dataset import BaseDataset
from PIL import Image

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset
from .utils import list_files, load_annotation

#: The reference's class lists and ignored label ids.
ADE20K_CLASSES = (
    'unlabeled', 'wall', 'building', 'sky', 'floor', 'tree', 'ceiling', 'road',
    'bed', 'windowpane', 'grass', 'cabinet', 'sidewalk', 'person', 'earth',
    'door', 'table', 'mountain', 'plant', 'curtain', 'chair', 'car', 'water',
    'painting', 'sofa', 'shelf', 'house', 'sea', 'mirror', 'rug', 'field',
    'armchair', 'seat', 'fence', 'desk', 'rock', 'wardrobe', 'lamp', 'bathtub',
    'railing', 'cushion', 'base', 'box', 'column', 'signboard',
    'chest of drawers', 'counter', 'sand', 'sink', 'skyscraper', 'fireplace',
    'refrigerator', 'grandstand', 'path', 'stairs', 'runway', 'case',
    'pool table', 'pillow', 'screen door', 'stairway', 'river', 'bridge',
    'bookcase', 'blind', 'coffee table', 'toilet', 'flower', 'book', 'hill',
    'bench', 'countertop', 'stove', 'palm', 'kitchen island', 'computer',
    'swivel chair', 'boat', 'bar', 'arcade machine', 'hovel', 'bus', 'towel',
    'light', 'truck', 'tower', 'chandelier', 'awning', 'streetlight', 'booth',
    'television receiver', 'airplane', 'dirt track', 'apparel', 'pole', 'land',
    'bannister', 'escalator', 'ottoman', 'bottle', 'buffet', 'poster', 'stage',
    'van', 'ship', 'fountain', 'conveyer belt', 'canopy', 'washer',
    'plaything', 'swimming pool', 'stool', 'barrel', 'basket', 'waterfall',
    'tent', 'bag', 'minibike', 'cradle', 'oven', 'ball', 'food', 'step',
    'tank', 'trade name', 'microwave', 'pot', 'animal', 'bicycle', 'lake',
    'dishwasher', 'screen', 'blanket', 'sculpture', 'hood', 'sconce', 'vase',
    'traffic light', 'tray', 'ashcan', 'fan', 'pier', 'crt screen', 'plate',
    'monitor', 'bulletin board', 'shower', 'radiator', 'glass', 'clock',
    'flag',
)

ADE20K_IGNORE_IDS = (
    0, 255,
)

COCO_STUFF_CLASSES = (
    'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train',
    'truck', 'boat', 'traffic light', 'fire hydrant', 'street sign',
    'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse',
    'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'hat', 'backpack',
    'umbrella', 'shoe', 'eye glasses', 'handbag', 'tie', 'suitcase', 'frisbee',
    'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat',
    'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
    'plate', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana',
    'apple', 'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza',
    'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed', 'mirror',
    'dining table', 'window', 'desk', 'toilet', 'door', 'tv', 'laptop',
    'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
    'toaster', 'sink', 'refrigerator', 'blender', 'book', 'clock', 'vase',
    'scissors', 'teddy bear', 'hair drier', 'toothbrush', 'hair brush',
    'banner', 'blanket', 'branch', 'bridge', 'building-other', 'bush',
    'cabinet', 'cage', 'cardboard', 'carpet', 'ceiling-other', 'ceiling-tile',
    'cloth', 'clothes', 'clouds', 'counter', 'cupboard', 'curtain',
    'desk-stuff', 'dirt', 'door-stuff', 'fence', 'floor-marble', 'floor-other',
    'floor-stone', 'floor-tile', 'floor-wood', 'flower', 'fog', 'food-other',
    'fruit', 'furniture-other', 'grass', 'gravel', 'ground-other', 'hill',
    'house', 'leaves', 'light', 'mat', 'metal', 'mirror-stuff', 'moss',
    'mountain', 'mud', 'napkin', 'net', 'paper', 'pavement', 'pillow',
    'plant-other', 'plastic', 'platform', 'playingfield', 'railing',
    'railroad', 'river', 'road', 'rock', 'roof', 'rug', 'salad', 'sand', 'sea',
    'shelf', 'sky', 'skyscraper', 'snow', 'solid-other', 'stairs', 'stone',
    'straw', 'structural-other', 'table', 'tent', 'textile-other', 'towel',
    'tree', 'vegetable', 'wall-brick', 'wall-concrete', 'wall-other',
    'wall-panel', 'wall-stone', 'wall-tile', 'wall-wood', 'water-other',
    'waterdrops', 'window-blind', 'window-other', 'wood',
)

COCO_STUFF_IGNORE_IDS = (
    0, 96, 102, 103, 110, 112, 114, 115, 116, 117, 118, 121, 123, 126, 133,
    142, 160, 164, 167, 171, 172, 173, 174, 175, 176, 177, 178, 180, 181, 255,
)

MAPILLARY_CLASSES = (
    'bird', 'ground animal', 'ambiguous barrier', 'concrete block', 'curb',
    'fence', 'guard rail', 'barrier', 'road median', 'road side',
    'lane separator', 'temporary barrier', 'wall', 'bike lane',
    'crosswalk - plain', 'curb cut', 'driveway', 'parking', 'parking aisle',
    'pedestrian area', 'rail track', 'road', 'road shoulder', 'service lane',
    'sidewalk', 'traffic island', 'bridge', 'building', 'garage', 'tunnel',
    'person', 'person group', 'bicyclist', 'motorcyclist', 'other rider',
    'lane marking - dashed line', 'lane marking - straight line',
    'lane marking - zigzag line', 'lane marking - ambiguous',
    'lane marking - arrow (left)', 'lane marking - arrow (other)',
    'lane marking - arrow (right)',
    'lane marking - arrow (split left or straight)',
    'lane marking - arrow (split right or straight)',
    'lane marking - arrow (straight)', 'lane marking - crosswalk',
    'lane marking - give way (row)', 'lane marking - give way (single)',
    'lane marking - hatched (chevron)', 'lane marking - hatched (diagonal)',
    'lane marking - other', 'lane marking - stop line',
    'lane marking - symbol (bicycle)', 'lane marking - symbol (other)',
    'lane marking - text', 'lane marking (only) - dashed line',
    'lane marking (only) - crosswalk', 'lane marking (only) - other',
    'lane marking (only) - test', 'mountain', 'sand', 'sky', 'snow', 'terrain',
    'vegetation', 'water', 'banner', 'bench', 'bike rack', 'catch basin',
    'cctv camera', 'fire hydrant', 'junction box', 'mailbox', 'manhole',
    'parking meter', 'phone booth', 'pothole', 'signage - advertisement',
    'signage - ambiguous', 'signage - back', 'signage - information',
    'signage - other', 'signage - store', 'street light', 'pole', 'pole group',
    'traffic sign frame', 'utility pole', 'traffic cone',
    'traffic light - general (single)', 'traffic light - pedestrians',
    'traffic light - general (upright)',
    'traffic light - general (horizontal)', 'traffic light - cyclists',
    'traffic light - other', 'traffic sign - ambiguous', 'traffic sign (back)',
    'traffic sign - direction (back)', 'traffic sign - direction (front)',
    'traffic sign (front)', 'traffic sign - parking',
    'traffic sign - temporary (back)', 'traffic sign - temporary (front)',
    'trash can', 'bicycle', 'boat', 'bus', 'car', 'caravan', 'motorcycle',
    'on rails', 'other vehicle', 'trailer', 'truck', 'vehicle group',
    'wheeled slow', 'water valve', 'car mount', 'dynamic', 'ego vehicle',
    'ground', 'static',
)

MAPILLARY_IGNORE_IDS = (
    123, 255,
)


class LabelMapDataset(BasePixelDataset):
    """Images with semantic label maps; one ``'query'`` turn per class.

    The label map is read when a sample is drawn (as the reference does),
    and its classes listed then; a map with no class but the ignored ids is
    an error naming the file.

    Args:
        data_root (str): Data root.
        data_prefix (dict): ``img_path`` and ``seg_map_path`` folders,
            relative to ``data_root``.
        img_suffix (str): Image file suffix. Defaults to ``'.jpg'``.
        seg_map_suffix (str): Label map suffix. Defaults to ``'.png'``.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    #: Class names by label index.
    CLASSES: Sequence[str] = ()
    #: Label indices that are no class (unlabelled, void, unused ids).
    IGNORE_IDS: Sequence[int] = ()
    SOURCE = 'label_map'

    def __init__(self,
                 data_root: str,
                 data_prefix: dict,
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 **kwargs) -> None:
        self.img_suffix = img_suffix
        self.seg_map_suffix = seg_map_suffix
        super().__init__(
            data_root=data_root, data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per label map, in file-name order."""
        seg_maps = list_files(self.data_prefix['seg_map_path'],
                              (self.seg_map_suffix, ),
                              f'{self.SOURCE} label map')
        data_list = []
        for seg_map in seg_maps:
            name = osp.basename(seg_map)[:-len(self.seg_map_suffix)]
            data_list.append(
                dict(
                    img_path=osp.join(self.data_prefix['img_path'],
                                      name + self.img_suffix),
                    seg_map_path=seg_map,
                    entry=f'{self.SOURCE} {name}',
                    source=self.SOURCE))
        return data_list

    def get_data_info(self, idx: int) -> dict:
        """Reads the label map and asks for each class in it."""
        info = BaseDataset.get_data_info(self, idx)
        path = info['seg_map_path']
        if not osp.isfile(path):
            raise FileNotFoundError(
                f"{info['entry']}: label map not found: {path}")
        with Image.open(path) as img:
            label = np.asarray(img)
        ids = [
            int(i) for i in np.unique(label) if int(i) not in self.IGNORE_IDS
        ]
        if not ids:
            raise ValueError(f"{info['entry']}: no class in {path} (all "
                             f'pixels are ignored ids {self.IGNORE_IDS})')
        if max(ids) >= len(self.CLASSES):
            raise ValueError(f"{info['entry']}: label {max(ids)} in {path} "
                             f'is no class of {len(self.CLASSES)}')
        info['objects'] = [
            dict(masks=[dict(label=label, ids=[i])], oid=str(i)) for i in ids
        ]
        info['turns'] = [
            dict(type='query', query=self.CLASSES[i], obj_inds=[k])
            for k, i in enumerate(ids)
        ]
        return self.format_sample(info)


@DATASETS.register_module()
class ADE20KDataset(LabelMapDataset):
    """ADE20K (150 classes, 0 unlabelled)."""

    CLASSES = ADE20K_CLASSES
    IGNORE_IDS = ADE20K_IGNORE_IDS
    SOURCE = 'ade20k'

    def __init__(self,
                 data_root: str = 'data/lisa/ade20k',
                 data_prefix: dict = dict(
                     img_path='images/training',
                     seg_map_path='annotations/training'),
                 **kwargs) -> None:
        super().__init__(data_root, data_prefix, **kwargs)


@DATASETS.register_module()
class COCOStuffDataset(LabelMapDataset):
    """COCO-Stuff 164k (``stuffthingmaps``; the reference's ignored ids)."""

    CLASSES = COCO_STUFF_CLASSES
    IGNORE_IDS = COCO_STUFF_IGNORE_IDS
    SOURCE = 'cocostuff'

    def __init__(self,
                 data_root: str = 'data/lisa',
                 data_prefix: dict = dict(
                     img_path='coco/train2017',
                     seg_map_path='cocostuff/train2017'),
                 **kwargs) -> None:
        super().__init__(data_root, data_prefix, **kwargs)


@DATASETS.register_module()
class MapillaryDataset(LabelMapDataset):
    """Mapillary Vistas v2.0 (123 classes, 123 unlabelled)."""

    CLASSES = MAPILLARY_CLASSES
    IGNORE_IDS = MAPILLARY_IGNORE_IDS
    SOURCE = 'mapillary'

    def __init__(self,
                 data_root: str = 'data/lisa/mapillary',
                 data_prefix: dict = dict(
                     img_path='training/images',
                     seg_map_path='training/v2.0/labels'),
                 **kwargs) -> None:
        super().__init__(data_root, data_prefix, **kwargs)


def part_name(name: str):
    """A PACO / PASCAL-Part category name as the reference reads it.

    Args:
        name (str): E.g. ``'dog'``, ``'mug:handle'`` or
            ``'bottle_(drink):cap'``.

    Returns:
        str | tuple[str, str]: ``'dog'`` or ``('mug', 'handle')``, without
        the ``_(...)`` disambiguation suffixes.
    """
    parts = name.strip().split(':')
    if len(parts) not in (1, 2):
        raise ValueError(f'category {name!r} is neither object nor '
                         'object:part')
    parts = tuple(p.split('_(')[0] for p in parts)
    return parts[0] if len(parts) == 1 else parts


@DATASETS.register_module()
class COCOPartDataset(BasePixelDataset):
    """Object and part masks in a COCO-style file; one turn per annotation.

    Args:
        ann_file (str): The COCO-style JSON, relative to ``data_root``.
        data_prefix (dict): ``img_path``: the folder ``file_name`` is
            relative to.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'coco_part'

    def load_data_list(self) -> List[dict]:
        """One data info per image with annotations, in file order."""
        coco = load_annotation(self.ann_file, f'{self.SOURCE} annotation file')
        names = {}
        for cat in coco['categories']:
            try:
                names[cat['id']] = part_name(cat['name'])
            except ValueError as e:
                raise ValueError(f'{self.SOURCE} {self.ann_file}: {e}') from e
        by_image = {img['id']: [] for img in coco['images']}
        for ann in coco['annotations']:
            if ann['image_id'] not in by_image:
                raise ValueError(f"{self.SOURCE} {self.ann_file} annotation "
                                 f"{ann['id']}: no image {ann['image_id']}")
            if ann['category_id'] not in names:
                raise ValueError(f"{self.SOURCE} {self.ann_file} annotation "
                                 f"{ann['id']}: no category "
                                 f"{ann['category_id']}")
            by_image[ann['image_id']].append(ann)
        data_list = []
        for img in coco['images']:
            anns = by_image[img['id']]
            if not anns:
                continue
            data_list.append(
                dict(
                    img_path=osp.join(self.data_prefix['img_path'],
                                      img['file_name']),
                    ann_size=(img['height'], img['width']),
                    objects=[
                        dict(masks=[ann['segmentation']], oid=str(ann['id']))
                        for ann in anns
                    ],
                    turns=[
                        dict(
                            type='query',
                            query=names[ann['category_id']],
                            obj_inds=[k]) for k, ann in enumerate(anns)
                    ],
                    entry=f"{self.SOURCE} image {img['id']}",
                    source=self.SOURCE))
        return data_list


@DATASETS.register_module()
class PACOLVISDataset(COCOPartDataset):
    """PACO-LVIS objects and parts on COCO 2017 images."""

    SOURCE = 'paco_lvis'

    def __init__(self,
                 data_root: str = 'data/lisa',
                 ann_file: str = 'vlpart/paco/annotations/'
                 'paco_lvis_v1_train.json',
                 data_prefix: dict = dict(img_path='coco'),
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)


@DATASETS.register_module()
class PASCALPartDataset(COCOPartDataset):
    """PASCAL-Part objects and parts on VOC 2010 images."""

    SOURCE = 'pascal_part'

    def __init__(self,
                 data_root: str = 'data/lisa/vlpart/pascal_part',
                 ann_file: str = 'train.json',
                 data_prefix: dict = dict(
                     img_path='VOCdevkit/VOC2010/JPEGImages'),
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)
