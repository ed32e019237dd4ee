"""ViCaS: video referral sentences with object tracks.

On-disk format: ``splits/v1.0/{split}.json`` lists video ids;
``annotations/v1.0/{id:06d}.json`` holds a video's ``filename``,
``segmentations`` (per annotated frame: ``filename``, ``mask_rles`` and
their ``track_ids``) and ``object_referrals`` (``prompt`` and the
``track_ids`` it refers to); the frames are
``video_frames/{filename[:6]}/{segmentation filename}``.
"""
import os.path as osp
from typing import List

from mmengine.dataset import BaseDataset

from unipixel_mm.registry import DATASETS
from .base_pixel_dataset import BasePixelDataset
from .utils import load_annotation


@DATASETS.register_module()
class ViCaSDataset(BasePixelDataset):
    """ViCaS referrals, one sample each (``'sentence'`` turns); a referral's
    mask is the union of its tracks, read from the annotation file when the
    sample is drawn.

    Args:
        data_root (str): Data root.
        ann_file (str): The split file, relative to ``data_root``.
        data_prefix (dict): ``img_path``: the frame folder; ``ann_path``:
            the per-video annotation folder.
        **kwargs: :class:`BasePixelDataset` arguments.
    """

    SOURCE = 'vicas'

    def __init__(self,
                 data_root: str = 'data/vicas',
                 ann_file: str = 'splits/v1.0/train.json',
                 data_prefix: dict = dict(
                     img_path='video_frames', ann_path='annotations/v1.0'),
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            **kwargs)

    def _ann_path(self, video_id) -> str:
        return osp.join(self.data_prefix['ann_path'],
                        f'{str(video_id).zfill(6)}.json')

    def load_data_list(self) -> List[dict]:
        """One data info per referral."""
        video_ids = load_annotation(self.ann_file, f'{self.SOURCE} split')
        data_list = []
        for video_id in video_ids:
            ann_path = self._ann_path(video_id)
            ann = load_annotation(ann_path, f'{self.SOURCE} annotation')
            vid = ann['filename'][:6]
            frames = [
                osp.join(self.data_prefix['img_path'], vid, s['filename'])
                for s in ann['segmentations']
            ]
            for i, ref in enumerate(ann['object_referrals']):
                data_list.append(
                    dict(
                        frame_paths=frames,
                        ann_path=ann_path,
                        referral=i,
                        turns=[
                            dict(
                                type='sentence',
                                query=ref['prompt'].strip(),
                                obj_inds=[0])
                        ],
                        entry=f'{self.SOURCE} {vid} referral {i}',
                        source=self.SOURCE))
        return data_list

    def get_data_info(self, idx: int) -> dict:
        """Reads the referral's track masks and formats the conversation."""
        info = BaseDataset.get_data_info(self, idx)
        path, i = info.pop('ann_path'), info.pop('referral')
        ann = load_annotation(path, f"{info['entry']}: annotation")
        tracks = ann['object_referrals'][i]['track_ids']
        masks = []
        for t, seg in enumerate(ann['segmentations']):
            missing = set(tracks) - set(seg['track_ids'])
            if missing:
                raise ValueError(f"{info['entry']}: tracks {sorted(missing)} "
                                 f'have no mask on frame {t} in {path}')
            masks.append(
                [seg['mask_rles'][seg['track_ids'].index(k)] for k in tracks])
        info['objects'] = [dict(masks=masks)]
        return self.format_sample(info)
