"""Interoperation with MMDetection and MMSegmentation.

Importing this package registers :class:`ConvertedMetric`,
:class:`DetectThenDescribe`, :class:`ObjectLabels` and
:class:`RefExpToConversation` in the ``unipixel_mm`` scope; configs do it
with ``custom_imports = dict(imports=['unipixel_mm.interop'])``. mmdet and
mmseg (with the compiled mmcv of ``tools/install_mm_interop.sh``) are
imported only when a conversion or model needs them.
"""
from .conversions import (boxes_to_prompts, from_det_data_sample,
                          gt_instances_list, labels_from_text, masks_to_boxes,
                          paint_label_map, to_det_data_sample,
                          to_seg_data_sample)
from .detect_then_describe import DetectThenDescribe
from .metrics import ConvertedMetric
from .transforms import ObjectLabels, RefExpToConversation

__all__ = [
    'masks_to_boxes', 'labels_from_text', 'gt_instances_list',
    'to_det_data_sample', 'to_seg_data_sample', 'paint_label_map',
    'from_det_data_sample', 'boxes_to_prompts', 'ConvertedMetric',
    'DetectThenDescribe', 'ObjectLabels', 'RefExpToConversation'
]
