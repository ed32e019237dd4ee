import os.path as osp
import zipfile

import cv2
import numpy as np
import pytest
import torch

from unipixel_mm.evaluation.metrics import VOSSubmissionMetric


def _sample(video, exp, masks, names=('00000', '00005')):
    return dict(
        video_id=video,
        exp_id=exp,
        frame_names=list(names),
        frame_size=(4, 5),
        pred_masks=masks)


def test_writes_the_first_masklet(tmp_path):
    metric = VOSSubmissionMetric(out_dir=str(tmp_path), zip_name=None)
    a = torch.zeros(2, 4, 5, dtype=torch.bool)
    a[0, 1, 2] = True
    b = torch.zeros(2, 4, 5, dtype=torch.bool)
    b[1, 3, 4] = True
    metric.process(None, [_sample('vid1', '0', [a, b])])
    png = cv2.imread(
        osp.join(tmp_path, 'Annotations', 'vid1', '0', '00005.png'),
        cv2.IMREAD_UNCHANGED)
    # frame 1 of the first masklet is empty; b (the second) is not written
    assert png.shape == (4, 5) and not png.any()


def test_writes_layout_and_zip(tmp_path):
    metric = VOSSubmissionMetric(
        out_dir=str(tmp_path), zip_name='mevis', pred_select='union')
    a = torch.zeros(2, 4, 5, dtype=torch.bool)
    a[0, 1, 2] = True
    b = torch.zeros(2, 4, 5, dtype=torch.bool)
    b[1, 3, 4] = True
    metric.process(None,
                   [_sample('vid1', '0', [a, b]),
                    _sample('vid2', '3', [])])
    assert metric.compute_metrics(metric.results) == dict(num_masks=4)
    png = cv2.imread(
        osp.join(tmp_path, 'Annotations', 'vid1', '0', '00000.png'),
        cv2.IMREAD_UNCHANGED)
    expected = np.zeros((4, 5), np.uint8)
    expected[1, 2] = 255
    assert np.array_equal(png, expected)
    # the union of the objects
    png = cv2.imread(
        osp.join(tmp_path, 'Annotations', 'vid1', '0', '00005.png'),
        cv2.IMREAD_UNCHANGED)
    assert png[3, 4] == 255 and png.sum() == 255
    # nothing predicted: empty masks
    empty = cv2.imread(
        osp.join(tmp_path, 'Annotations', 'vid2', '3', '00005.png'),
        cv2.IMREAD_UNCHANGED)
    assert empty.shape == (4, 5) and not empty.any()
    with zipfile.ZipFile(osp.join(tmp_path, 'mevis.zip')) as archive:
        names = sorted(archive.namelist())
    assert 'Annotations/vid1/0/00000.png' in names
    assert 'Annotations/vid2/3/00005.png' in names


def test_rejects_masks_of_another_size(tmp_path):
    metric = VOSSubmissionMetric(out_dir=str(tmp_path))
    with pytest.raises(ValueError, match='masks of shape'):
        metric.process(None,
                       [_sample('v', '0', [torch.zeros(3, 4, 5).bool()])])
