import pytest
import torch

from unipixel_mm.interop import (boxes_to_prompts, from_det_data_sample,
                                 gt_instances_list, labels_from_text,
                                 masks_to_boxes, paint_label_map,
                                 to_det_data_sample, to_seg_data_sample)
from unipixel_mm.structures import PixelDataSample


def rect(height, width, y1, y2, x1, x2) -> torch.Tensor:
    """An (H, W) bool mask of rows y1:y2 and columns x1:x2."""
    mask = torch.zeros(height, width, dtype=torch.bool)
    mask[y1:y2, x1:x2] = True
    return mask


def prediction(with_gt: bool = True) -> PixelDataSample:
    """Two one-frame masklets on a 20 x 30 image and two annotated objects."""
    sample = PixelDataSample(
        metainfo=dict(
            frame_size=(20, 30), sample_idx=7, obj_labels=[1, 2]))
    sample.pred_masks = [
        rect(20, 30, 2, 6, 3, 9)[None],
        rect(20, 30, 10, 20, 20, 30)[None]
    ]
    sample.pred_mask_scores = torch.tensor([[2.0], [-1.0]])
    if with_gt:
        sample.gt_masks_ori = torch.stack(
            [rect(20, 30, 2, 6, 3, 9),
             rect(20, 30, 10, 18, 20, 28)])[None]
    return sample


def test_masks_to_boxes_follows_mmdet():
    masks = torch.stack([
        rect(8, 10, 2, 5, 1, 4),
        rect(8, 10, 7, 8, 9, 10),
        torch.zeros(8, 10, dtype=torch.bool)
    ])
    expected = torch.tensor([[1., 2., 4., 5.], [9., 7., 10., 8.],
                             [0., 0., 0., 0.]])
    torch.testing.assert_close(masks_to_boxes(masks), expected)
    assert masks_to_boxes(torch.zeros(0, 4, 4, dtype=torch.bool)).shape == \
        (0, 4)


def test_labels_from_text_takes_the_class_named_last_before_each_seg():
    classes = ['circle', 'red circle', 'dog']
    text = ('The red circle <|seg|>, a dog next to the circle <|seg|> and '
            'something <|seg|>.')
    assert labels_from_text(text, classes) == [1, 0, 0]
    assert labels_from_text(text, classes, default=-1) == [1, 0, -1]
    # whole words only
    assert labels_from_text('hotdog <|seg|>', classes, default=-1) == [-1]


def test_paint_label_map_lets_the_best_score_win():
    masks = torch.stack([rect(2, 3, 0, 2, 0, 2), rect(2, 3, 0, 2, 1, 3)])
    labels = torch.tensor([4, 5])
    expected_later = torch.tensor([[4, 5, 5], [4, 5, 5]])
    assert torch.equal(paint_label_map(masks, labels, bg_label=0),
                       expected_later)
    by_score = paint_label_map(masks, labels, torch.tensor([0.9, 0.1]))
    assert torch.equal(by_score, torch.tensor([[4, 4, 5], [4, 4, 5]]))
    empty = paint_label_map(masks[:0], labels[:0], bg_label=255)
    assert torch.equal(empty, torch.full((2, 3), 255))


def test_boxes_to_prompts_clamps_into_the_frame():
    boxes = torch.tensor([[-3.0, 2.0, 30.0, 20.0]])
    assert boxes_to_prompts(boxes, (20, 30), frame=1) == [(0.0, 2.0, 29.0,
                                                           19.0, 1)]


def test_gt_instances_list_skips_empty_masks():
    sample = prediction()
    sample.gt_masks_ori = torch.cat(
        [sample.gt_masks_ori,
         torch.zeros(1, 1, 20, 30, dtype=torch.bool)], 1)
    sample.set_metainfo(dict(obj_labels=[1, 2, 3]))
    instances = gt_instances_list(sample)
    assert [i['bbox'] for i in instances] == [[3., 2., 9., 6.],
                                              [20., 10., 28., 18.]]
    assert [i['bbox_label'] for i in instances] == [1, 2]
    assert instances[0]['mask']['size'] == [20, 30]


def test_to_det_data_sample(mmdet):
    from mmdet.structures import DetDataSample
    det = to_det_data_sample(prediction())
    assert isinstance(det, DetDataSample)
    assert det.img_id == 7 and det.ori_shape == (20, 30)
    pred = det.pred_instances
    torch.testing.assert_close(
        pred.bboxes, torch.tensor([[3., 2., 9., 6.], [20., 10., 30., 20.]]))
    torch.testing.assert_close(pred.scores,
                               torch.tensor([2.0, -1.0]).sigmoid())
    assert pred.labels.tolist() == [1, 2]
    assert pred.masks.shape == (2, 20, 30)
    assert det.gt_instances.labels.tolist() == [1, 2]
    assert det.gt_instances.masks.masks.shape == (2, 20, 30)
    assert len(det.instances) == 2

    explicit = to_det_data_sample(prediction(), labels=[0, 0], with_gt=False)
    assert explicit.pred_instances.labels.tolist() == [0, 0]
    assert 'gt_instances' not in explicit

    sample = prediction()
    sample.pred_text = 'a cat <|seg|> and a dog <|seg|>'
    named = to_det_data_sample(sample, classes=['dog', 'cat'])
    assert named.pred_instances.labels.tolist() == [1, 0]


def test_to_det_data_sample_pads_an_empty_prediction(mmdet):
    sample = PixelDataSample(metainfo=dict(frame_size=(4, 5), img_id=3))
    sample.pred_masks = []
    sample.pred_mask_scores = torch.zeros(0, 0)
    det = to_det_data_sample(sample, min_instances=1)
    assert det.img_id == 3
    assert det.pred_instances.bboxes.tolist() == [[0.0, 0.0, 0.0, 0.0]]
    assert det.pred_instances.scores.tolist() == [0.0]
    assert to_det_data_sample(sample).pred_instances.bboxes.shape == (0, 4)


def test_to_seg_data_sample(mmseg):
    from mmseg.structures import SegDataSample
    seg = to_seg_data_sample(prediction(), bg_label=0)
    assert isinstance(seg, SegDataSample)
    pred = seg.pred_sem_seg.data[0]
    assert pred.shape == (20, 30)
    assert (pred == 1).sum() == 24 and (pred == 2).sum() == 100
    assert (pred == 0).sum() == 600 - 124
    gt = seg.gt_sem_seg.data[0]
    assert (gt == 2).sum() == 64


def test_from_det_data_sample_round_trip(mmdet):
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    det = DetDataSample(
        metainfo=dict(ori_shape=(12, 16), img_id=5, img_path='a.jpg'))
    det.pred_instances = InstanceData(
        bboxes=torch.tensor([[2.0, 3.0, 7.0, 9.0], [0.0, 0.0, 4.0, 4.0]]),
        scores=torch.tensor([0.8, 0.1]),
        labels=torch.tensor([3, 1]))
    sample = from_det_data_sample(det, min_score=0.5)
    assert sample.frame_size == (12, 16) and sample.img_path == 'a.jpg'
    assert len(sample.pred_masks) == 1
    assert sample.pred_masks[0].shape == (1, 12, 16)
    assert sample.pred_masks[0].sum() == 30
    assert sample.pred_labels.tolist() == [3]
    back = to_det_data_sample(sample, with_gt=False)
    torch.testing.assert_close(back.pred_instances.bboxes,
                               torch.tensor([[2.0, 3.0, 7.0, 9.0]]))
    torch.testing.assert_close(back.pred_instances.scores,
                               torch.tensor([0.8]))
    assert back.pred_instances.labels.tolist() == [3]


@pytest.mark.parametrize('kind', ['det', 'seg'])
def test_mm_visualizers_draw_converted_predictions(kind, request, tmp_path):
    """mmdet's and mmseg's visualizers draw the converted masks."""
    import numpy as np
    toolkit = request.getfixturevalue('mmdet' if kind == 'det' else 'mmseg')
    image = np.full((20, 30, 3), 100, dtype=np.uint8)
    out_file = str(tmp_path / f'{kind}.png')
    if kind == 'det':
        from mmdet.visualization import DetLocalVisualizer
        vis = DetLocalVisualizer(name=f'interop_{kind}')
        sample = to_det_data_sample(prediction(), with_gt=False)
    else:
        from mmseg.visualization import SegLocalVisualizer
        vis = SegLocalVisualizer(name=f'interop_{kind}')
        sample = to_seg_data_sample(prediction(), with_gt=False)
    vis.dataset_meta = dict(
        classes=('background', 'a', 'b'),
        palette=[(0, 0, 0), (255, 0, 0), (0, 0, 255)])
    vis.add_datasample(
        'x', image, sample, draw_gt=False, show=False, out_file=out_file)
    assert toolkit is not None
    drawn = vis.get_image().astype(int)
    # mask a is painted in the red of class a
    assert drawn[5, 8, 0] > drawn[5, 8, 2] + 5
    if kind == 'det':
        # mask b scores sigmoid(-1) < 0.3, the visualizer's threshold
        assert (drawn[15, 25] == image[15, 25]).all()
    else:
        assert drawn[15, 25, 2] > drawn[15, 25, 0] + 5
