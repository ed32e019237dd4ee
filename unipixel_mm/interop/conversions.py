"""Conversions between UniPixel samples and MMDetection / MMSegmentation ones.

A UniPixel prediction (:class:`~unipixel_mm.structures.PixelDataSample`,
or its ``to_dict()`` as metrics receive it) holds one (T, H, W) masklet per
``<|seg|>`` token and (N, T) object-presence logits. On one frame ``t``
this is an instance segmentation: masks, boxes around them, scores
``sigmoid(logit)`` and class labels, which :func:`to_det_data_sample` puts
into an ``mmdet`` ``DetDataSample`` and :func:`to_seg_data_sample` paints
into an ``mmseg`` ``SegDataSample`` label map. Their metrics and
visualizers then work on UniPixel's predictions.

The other way, :func:`from_det_data_sample` turns a detector's (or an
instance segmenter's) prediction into UniPixel's prediction fields and
:func:`boxes_to_prompts` its boxes into UniPixel box prompts.

Class labels of the objects come, in this order, from an explicit list,
the sample's ``pred_labels``, the classes named in the answer text
(:func:`labels_from_text`) or the labels of the queried objects
(``obj_labels`` metainfo, see :class:`~unipixel_mm.interop.ObjectLabels`).
mmdet and mmseg are imported when a conversion needs them.
"""
import re
from typing import List, Mapping, Optional, Sequence, Union

import numpy as np
import torch

from unipixel_mm.structures import PixelDataSample
from unipixel_mm.text import SEG_TOKEN

Sample = Union[PixelDataSample, Mapping]


def import_mmdet():
    """The ``mmdet`` package, or an ImportError that says how to get it."""
    try:
        import mmdet
        import mmdet.structures  # noqa: F401
    # mmdet asserts a compatible mmcv version on import
    except (ImportError, AssertionError) as e:
        raise ImportError(
            'This needs MMDetection with the compiled mmcv; run '
            '`bash tools/install_mm_interop.sh` once') from e
    return mmdet


def import_mmseg():
    """The ``mmseg`` package, or an ImportError that says how to get it."""
    try:
        import mmseg
        import mmseg.structures  # noqa: F401
    # mmseg asserts a compatible mmcv version on import
    except (ImportError, AssertionError) as e:
        raise ImportError(
            'This needs MMSegmentation with the compiled mmcv; run '
            '`bash tools/install_mm_interop.sh` once') from e
    return mmseg


def masks_to_boxes(masks: torch.Tensor) -> torch.Tensor:
    """Tight boxes of binary masks, in MMDetection's convention.

    Args:
        masks (Tensor): (N, H, W) bool.

    Returns:
        Tensor: (N, 4) float ``(x1, y1, x2, y2)`` with exclusive ``x2, y2``
        (a one-pixel mask at (x, y) gives ``(x, y, x + 1, y + 1)``, as
        ``mmdet.structures.mask.mask2bbox``); zeros for an empty mask.
    """
    masks = masks.bool()
    boxes = masks.new_zeros(masks.size(0), 4, dtype=torch.float32)
    if masks.numel() == 0:
        return boxes
    cols, rows = masks.any(1), masks.any(2)
    nonempty = cols.any(1)
    width, height = masks.size(2), masks.size(1)
    xs = torch.arange(width, device=masks.device)
    ys = torch.arange(height, device=masks.device)
    x1 = torch.where(cols, xs, width).amin(1)
    x2 = torch.where(cols, xs, -1).amax(1) + 1
    y1 = torch.where(rows, ys, height).amin(1)
    y2 = torch.where(rows, ys, -1).amax(1) + 1
    found = torch.stack([x1, y1, x2, y2], 1).float()
    boxes[nonempty] = found[nonempty]
    return boxes


def labels_from_text(text: str,
                     classes: Sequence[str],
                     seg_token: str = SEG_TOKEN,
                     default: int = 0) -> List[int]:
    """The class of each ``<|seg|>`` object from the words before it.

    For each ``<|seg|>`` in ``text``, the class whose name (whole words,
    case-insensitive) ends last in the text between the previous
    ``<|seg|>`` and this one; a longer name wins a tie (``'red circle'``
    over ``'circle'``); ``default`` when none is named there.

    Args:
        text (str): the answer, special tokens kept.
        classes (Sequence[str]): class names.
        seg_token (str): the segmentation token.
        default (int): label of an object named by no class.

    Returns:
        list[int]: one label per ``<|seg|>``.

    Example:
        >>> labels_from_text('The red circle <|seg|> and a cat <|seg|>.',
        ...                  ['cat', 'red circle'])
        [1, 0]
    """
    patterns = [
        re.compile(r'\b' + re.escape(name.lower()) + r'\b')
        for name in classes
    ]
    labels = []
    for span in text.lower().split(seg_token.lower())[:-1]:
        best, best_key = default, (-1, 0)
        for label, pattern in enumerate(patterns):
            for match in pattern.finditer(span):
                key = (match.end(), match.end() - match.start())
                if key > best_key:
                    best, best_key = label, key
        labels.append(best)
    return labels


def _frame_masks(sample: Sample, frame: int) -> torch.Tensor:
    """(N, H, W) bool predicted masks of one frame."""
    masks = sample.get('pred_masks')
    if masks is None or len(masks) == 0:
        height, width = sample.get('frame_size', (0, 0))
        return torch.zeros(0, height, width, dtype=torch.bool)
    return torch.stack([m[frame] for m in masks]).bool()


def _frame_scores(sample: Sample, frame: int, num: int) -> torch.Tensor:
    """(N,) presence probabilities of one frame (ones without logits)."""
    logits = sample.get('pred_mask_scores')
    if logits is None or logits.numel() == 0:
        return torch.ones(num)
    return logits[:num, frame].float().sigmoid()


def _pred_labels(sample: Sample, num: int,
                 labels: Optional[Sequence[int]],
                 classes: Optional[Sequence[str]]) -> torch.Tensor:
    """(N,) long labels of the predicted objects (see the module doc)."""
    if labels is None:
        labels = sample.get('pred_labels')
    if labels is None and classes is not None and \
            sample.get('pred_text') is not None:
        labels = labels_from_text(sample.get('pred_text'), classes)
    if labels is None:
        labels = sample.get('obj_labels')
    if labels is None:
        labels = [0] * num
    labels = torch.as_tensor(list(labels)[:num], dtype=torch.long)
    if len(labels) < num:
        raise ValueError(f'{len(labels)} labels for {num} predicted objects')
    return labels


def _gt_labels(sample: Sample, num: int) -> torch.Tensor:
    labels = sample.get('gt_labels')
    if labels is None:
        labels = sample.get('obj_labels')
    if labels is None:
        labels = [0] * num
    labels = torch.as_tensor(list(labels), dtype=torch.long)
    if len(labels) != num:
        raise ValueError(f'{len(labels)} ground-truth labels for {num} '
                         'annotated objects')
    return labels


def _gt_frame_masks(sample: Sample, frame: int) -> Optional[torch.Tensor]:
    """(O, H, W) bool annotated masks of one frame, or None."""
    masks = sample.get('gt_masks_ori')
    if masks is None:
        return None
    return torch.as_tensor(masks)[frame].bool()


def encode_rle(mask: torch.Tensor) -> dict:
    """COCO RLE (``counts`` as str) of an (H, W) bool mask."""
    from pycocotools import mask as mask_utils
    rle = mask_utils.encode(np.asfortranarray(mask.cpu().numpy(), np.uint8))
    rle['counts'] = rle['counts'].decode()
    return rle


def gt_instances_list(sample: Sample, frame: int = 0) -> List[dict]:
    """Annotated objects as mmdet data-info ``instances``.

    The list CocoMetric builds its ground truth from when it has no
    ``ann_file``.

    Args:
        sample (PixelDataSample | dict): with ``gt_masks_ori`` (T, O, H, W)
            and optionally ``gt_labels`` / ``obj_labels``.
        frame (int): the frame to take.

    Returns:
        list[dict]: ``bbox`` (x1, y1, x2, y2), ``bbox_label``,
        ``ignore_flag`` and ``mask`` (RLE) per object.
    """
    masks = _gt_frame_masks(sample, frame)
    if masks is None:
        return []
    labels = _gt_labels(sample, len(masks))
    boxes = masks_to_boxes(masks)
    return [
        dict(
            bbox=box.tolist(),
            bbox_label=int(label),
            ignore_flag=0,
            mask=encode_rle(mask))
        for mask, box, label in zip(masks, boxes, labels) if mask.any()
    ]


def _image_meta(sample: Sample, height: int, width: int) -> dict:
    meta = dict(ori_shape=(height, width), img_shape=(height, width))
    img_id = sample.get('img_id', sample.get('sample_idx'))
    if img_id is not None:
        meta['img_id'] = img_id
    for key in ('img_path', 'sample_idx'):
        if sample.get(key) is not None:
            meta[key] = sample.get(key)
    return meta


def to_det_data_sample(sample: Sample,
                       frame: int = 0,
                       labels: Optional[Sequence[int]] = None,
                       classes: Optional[Sequence[str]] = None,
                       min_instances: int = 0,
                       with_gt: bool = True):
    """A UniPixel prediction on one frame as an mmdet ``DetDataSample``.

    Args:
        sample (PixelDataSample | dict): with ``pred_masks`` (list of
            (T, H, W) bool) and ``pred_mask_scores`` (N, T) logits; for the
            ground truth ``gt_masks_ori`` (T, O, H, W); ``frame_size``,
            ``img_id`` / ``sample_idx`` and ``img_path`` metainfo.
        frame (int): the frame to convert.
        labels (Sequence[int], optional): class of each predicted object.
        classes (Sequence[str], optional): class names to read the labels
            from ``pred_text`` (see :func:`labels_from_text`).
        min_instances (int): pad the prediction with empty masks (zero
            boxes, score 0) to at least this many instances, for metrics
            that need a box per sample (``RefExpMetric``).
        with_gt (bool): also convert ``gt_masks_ori`` into
            ``gt_instances`` and the ``instances`` metainfo.

    Returns:
        DetDataSample: ``pred_instances`` with ``masks`` (N, H, W) bool,
        ``bboxes`` (N, 4), ``scores`` (N,) and ``labels`` (N,); metainfo
        ``img_id``, ``ori_shape``, ``img_shape``.
    """
    import_mmdet()
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    masks = _frame_masks(sample, frame)
    num = len(masks)
    scores = _frame_scores(sample, frame, num)
    pred_labels = _pred_labels(sample, num, labels, classes)
    if num < min_instances:
        pad = min_instances - num
        masks = torch.cat([masks, masks.new_zeros(pad, *masks.shape[1:])])
        scores = torch.cat([scores, scores.new_zeros(pad)])
        pred_labels = torch.cat([pred_labels, pred_labels.new_zeros(pad)])
    height, width = masks.shape[1:] if masks.numel() else tuple(
        sample.get('frame_size'))
    det = DetDataSample(metainfo=_image_meta(sample, height, width))
    det.pred_instances = InstanceData(
        masks=masks,
        bboxes=masks_to_boxes(masks),
        scores=scores,
        labels=pred_labels)
    gt_masks = _gt_frame_masks(sample, frame) if with_gt else None
    if gt_masks is not None:
        from mmdet.structures.mask import BitmapMasks
        det.gt_instances = InstanceData(
            masks=BitmapMasks(gt_masks.numpy(), height, width),
            bboxes=masks_to_boxes(gt_masks),
            labels=_gt_labels(sample, len(gt_masks)))
        det.set_metainfo(dict(instances=gt_instances_list(sample, frame)))
    return det


def paint_label_map(masks: torch.Tensor,
                    labels: torch.Tensor,
                    scores: Optional[torch.Tensor] = None,
                    bg_label: int = 255) -> torch.Tensor:
    """A semantic label map from instance masks.

    Args:
        masks (Tensor): (N, H, W) bool.
        labels (Tensor): (N,) class of each mask.
        scores (Tensor, optional): (N,); where masks overlap the highest
            score wins (by default the later mask).
        bg_label (int): label of pixels in no mask (255: mmseg's ignore
            index).

    Returns:
        Tensor: (H, W) long.
    """
    label_map = torch.full(masks.shape[1:], bg_label, dtype=torch.long)
    order = range(len(masks)) if scores is None else \
        torch.argsort(scores, stable=True).tolist()
    for i in order:
        label_map[masks[i].cpu()] = int(labels[i])
    return label_map


def to_seg_data_sample(sample: Sample,
                       frame: int = 0,
                       labels: Optional[Sequence[int]] = None,
                       classes: Optional[Sequence[str]] = None,
                       bg_label: int = 255,
                       with_gt: bool = True):
    """A UniPixel prediction on one frame as an mmseg ``SegDataSample``.

    The masks are painted in ascending score, so where objects overlap the
    most confident one gives the label (:func:`paint_label_map`).

    Args:
        sample (PixelDataSample | dict): see :func:`to_det_data_sample`.
        frame (int): the frame to convert.
        labels (Sequence[int], optional): class of each predicted object.
        classes (Sequence[str], optional): class names to read the labels
            from ``pred_text``.
        bg_label (int): label of the pixels outside every mask, in the
            prediction and the ground truth: 255 (mmseg's ignore index) or
            a background class.
        with_gt (bool): also paint ``gt_masks_ori`` into ``gt_sem_seg``.

    Returns:
        SegDataSample: ``pred_sem_seg`` (1, H, W) long and, with the ground
        truth, ``gt_sem_seg``; metainfo ``ori_shape``, ``img_shape``.
    """
    import_mmseg()
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    masks = _frame_masks(sample, frame)
    scores = _frame_scores(sample, frame, len(masks))
    pred_labels = _pred_labels(sample, len(masks), labels, classes)
    height, width = masks.shape[1:] if len(masks) else tuple(
        sample.get('frame_size'))
    seg = SegDataSample(metainfo=_image_meta(sample, height, width))
    if len(masks) == 0:
        masks = torch.zeros(0, height, width, dtype=torch.bool)
    seg.pred_sem_seg = PixelData(
        data=paint_label_map(masks, pred_labels, scores, bg_label)[None])
    gt_masks = _gt_frame_masks(sample, frame) if with_gt else None
    if gt_masks is not None:
        gt = paint_label_map(gt_masks, _gt_labels(sample, len(gt_masks)),
                             None, bg_label)
        seg.gt_sem_seg = PixelData(data=gt[None])
    return seg


def from_det_data_sample(det, frame_size: Optional[Sequence[int]] = None,
                         min_score: float = 0.0) -> PixelDataSample:
    """A detector's prediction as UniPixel prediction fields.

    Instance masks become one-frame masklets (boxes filled when the
    detector gives no masks), scores become logits and labels
    ``pred_labels``, so UniPixel's metrics and visualizer take a
    detector's or an instance segmenter's output.

    Args:
        det (DetDataSample): with ``pred_instances`` (``bboxes``,
            ``scores``, ``labels``, optional ``masks``) in pixels of
            ``ori_shape``.
        frame_size (Sequence[int], optional): (H, W); ``ori_shape`` by
            default.
        min_score (float): drop instances scored below it.

    Returns:
        PixelDataSample: ``pred_masks`` (list of (1, H, W) bool),
        ``pred_mask_scores`` (N, 1) logits, ``pred_labels`` (N,), with the
        ``frame_size`` and the detector's ``img_id`` / ``img_path``.
    """
    inst = det.pred_instances
    inst = inst[inst.scores >= min_score]
    height, width = frame_size or det.metainfo['ori_shape'][:2]
    if 'masks' in inst:
        masks = inst.masks
        masks = masks.to_tensor(torch.bool, 'cpu') if hasattr(
            masks, 'to_tensor') else torch.as_tensor(masks).bool()
    else:
        masks = torch.zeros(len(inst), height, width, dtype=torch.bool)
        for mask, box in zip(masks, inst.bboxes.round().long().tolist()):
            mask[box[1]:box[3], box[0]:box[2]] = True
    scores = inst.scores.float().clamp(1e-6, 1 - 1e-6)
    meta = dict(frame_size=(int(height), int(width)))
    meta.update({
        k: det.metainfo[k]
        for k in ('img_id', 'img_path') if k in det.metainfo
    })
    sample = PixelDataSample(metainfo=meta)
    sample.pred_masks = [m[None] for m in masks]
    sample.pred_mask_scores = torch.logit(scores)[:, None]
    sample.pred_labels = inst.labels.long()
    return sample


def boxes_to_prompts(boxes: torch.Tensor,
                     frame_size: Sequence[int],
                     frame: int = 0) -> List[tuple]:
    """Boxes as UniPixel box prompts on a frame.

    Args:
        boxes (Tensor): (N, 4) ``(x1, y1, x2, y2)`` in pixels of the frame
            (mmdet boxes may reach ``x2 = W``).
        frame_size (Sequence[int]): (H, W) of the frame.
        frame (int): the frame index the prompts are on.

    Returns:
        list[tuple]: ``(x1, y1, x2, y2, frame)`` per box, clamped inside
        the frame (``[0, W - 1]`` x ``[0, H - 1]``), as
        :class:`~unipixel_mm.apis.InferenceRequest` takes them.
    """
    height, width = frame_size
    upper = boxes.new_tensor([width, height, width, height]) - 1
    boxes = torch.minimum(boxes.float().clamp(min=0), upper)
    return [(*box, frame) for box in boxes.tolist()]
