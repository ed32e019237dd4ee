"""Ref-SAV: long referring descriptions of SA-V objects.

On-disk format (training): ``Ref-SAV-Min-Ratio-0.3.json`` maps each video
id to ``dict(video_path='.../sav_train/sav_000/sav_000001.mp4',
anno_path='.../sav_train/sav_000/sav_000001_manual.json', objects={qid:
dict(video_id, obj_id, formated=description)})``; both paths lose their
first component and are joined with the SA-V root. The SA-V manual
annotation's ``masklet`` holds, for every 4th video frame, one COCO RLE per
object; object ``qid`` is its index there. The evaluation split uses the
``meta_expressions`` layout of MeViS with descriptions.
"""
import os.path as osp
from typing import List

from mmengine.dataset import BaseDataset

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset
from .referring_video import ReferringVideoDataset
from .utils import load_annotation


@DATASETS.register_module()
class RefSAVDataset(BasePixelDataset):
    """Ref-SAV training samples, one per described object.

    The candidate frames are every ``frame_stride``-th frame of the SA-V
    video, the frames the masklets annotate; the masklet file is read when
    a sample is drawn, as the reference does.

    Args:
        data_root (str): Data root.
        ann_file (str): The Ref-SAV JSON, relative to ``data_root``.
        data_prefix (dict): ``video_path``: the SA-V root the video and
            annotation paths are relative to.
        frame_stride (int): Video frames per masklet frame. Defaults to 4.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'ref_sav'

    def __init__(self,
                 data_root: str = 'data',
                 ann_file: str = 'ref_sav/Ref-SAV-Min-Ratio-0.3.json',
                 data_prefix: dict = dict(video_path='sav'),
                 frame_stride: int = 4,
                 **kwargs) -> None:
        self.frame_stride = frame_stride
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per (video, object) description."""
        videos = load_annotation(self.ann_file, f'{self.SOURCE} file')
        root = self.data_prefix['video_path']
        data_list = []
        for vid, meta in videos.items():
            video_path = osp.join(root, meta['video_path'].split('/', 1)[1])
            anno_path = osp.join(root, meta['anno_path'].split('/', 1)[1])
            for qid, obj in meta['objects'].items():
                entry = f'{self.SOURCE} {vid} object {qid}'
                if obj['video_id'] != vid or str(obj['obj_id']) != qid:
                    raise ValueError(
                        f"{entry}: names video {obj['video_id']} object "
                        f"{obj['obj_id']} in {self.ann_file}")
                data_list.append(
                    dict(
                        video_path=video_path,
                        frame_stride=self.frame_stride,
                        masklet_path=anno_path,
                        masklet_index=int(qid),
                        turns=[
                            dict(
                                type='description',
                                query=obj['formated'].strip(),
                                obj_inds=[0])
                        ],
                        entry=entry,
                        source=self.SOURCE))
        return data_list

    def get_data_info(self, idx: int) -> dict:
        """Reads the object's masklet and formats the conversation."""
        info = BaseDataset.get_data_info(self, idx)
        path, k = info.pop('masklet_path'), info.pop('masklet_index')
        masklet = load_annotation(path, f"{info['entry']}: SA-V annotation")
        masks = masklet['masklet']
        if not masks or len(masks[0]) <= k:
            num = len(masks[0]) if masks else 0
            raise ValueError(f"{info['entry']}: {path} has {num} objects per "
                             f'frame, object {k} asked for')
        info['objects'] = [dict(masks=[frame[k] for frame in masks])]
        return self.format_sample(info)


@DATASETS.register_module()
class RefSAVEvalDataset(ReferringVideoDataset):
    """The Ref-SAV validation split: ``meta_expressions_valid.json`` and
    ``mask_dict.json`` over frame folders, descriptions as turns."""

    SOURCE = 'ref_sav_eval'

    def __init__(self,
                 data_root: str = 'data/ref_sav/valid',
                 ann_file: str = 'meta_expressions_valid.json',
                 mask_file: str = 'mask_dict.json',
                 data_prefix: dict = dict(img_path='videos'),
                 test_mode: bool = True,
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            mask_file=mask_file,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    def make_turn(self, expression: str) -> dict:
        """A description turn."""
        return dict(type='description', query=expression, obj_inds=[0])
