import numpy as np
import pytest

from unipixel_mm.evaluation.functional import (boundary_f_measure,
                                               boundary_tolerance, disk_kernel,
                                               frame_boundary_f_measure,
                                               mask_to_boundary,
                                               region_similarity,
                                               video_j_and_f)


def box(height, width, top, left, box_h=2, box_w=2):
    """A (height, width) bool mask with one box_h x box_w box."""
    mask = np.zeros((height, width), dtype=bool)
    mask[top:top + box_h, left:left + box_w] = True
    return mask


def pixel(height, width, y, x):
    return box(height, width, y, x, 1, 1)


def coords(mask):
    return set(zip(*np.nonzero(mask)))


class TestRegionSimilarity:

    def test_partial_overlap(self):
        # 2x2 boxes one column apart: inter = 2, union = 4 + 4 - 2 = 6.
        j = region_similarity(box(4, 4, 0, 1), box(4, 4, 0, 0))
        assert j == pytest.approx(2 / 6)

    @pytest.mark.parametrize(
        'pred_empty, gt_empty, expected',
        [
            (True, True, 1.0),  # union 0: both empty counts as a perfect frame
            (True, False, 0.0),  # 0 / 4
            (False, True, 0.0),  # 0 / 4
        ])
    def test_empty_masks(self, pred_empty, gt_empty, expected):
        empty, full = np.zeros((4, 4), bool), box(4, 4, 1, 1)
        pred = empty if pred_empty else full
        gt = empty if gt_empty else full
        assert region_similarity(pred, gt) == expected

    def test_one_pixel_objects(self):
        assert region_similarity(pixel(3, 3, 1, 1), pixel(3, 3, 1, 1)) == 1.0
        assert region_similarity(pixel(3, 3, 1, 1), pixel(3, 3, 1, 2)) == 0.0

    def test_per_frame_and_nonbinary_values(self):
        gt = np.stack([box(4, 4, 0, 0), np.zeros((4, 4), bool)])
        pred = gt.astype(np.uint8) * 255  # PNG-style 0 / 255 masks
        pred[1, 0, 0] = 255  # frame 1: 1 false-positive pixel, empty gt
        np.testing.assert_array_equal(region_similarity(pred, gt), [1., 0.])

    def test_shape_mismatch(self):
        with pytest.raises(ValueError):
            region_similarity(np.zeros((2, 2)), np.zeros((2, 3)))


class TestBoundary:

    def test_one_pixel_object(self):
        # Pixel (2, 2) differs from the right / lower / lower-right neighbour
        # of (2, 1), (1, 2) and (1, 1), and from its own right neighbour.
        boundary = mask_to_boundary(pixel(5, 5, 2, 2))
        assert coords(boundary) == {(1, 1), (1, 2), (2, 1), (2, 2)}

    def test_box(self):
        # A 2x2 box at rows/cols 1-2: every 2x2 window overlapping it only
        # partly, i.e. rows/cols 0-2 without (1, 1): 2 * 2 + 2 * 2 = 8 pixels.
        boundary = mask_to_boundary(box(5, 5, 1, 1))
        expected = {(y, x) for y in range(3) for x in range(3)} - {(1, 1)}
        assert coords(boundary) == expected

    def test_bottom_right_corner(self):
        # The last row looks right only, the last column down only, and the
        # corner pixel itself is never a boundary pixel.
        boundary = mask_to_boundary(pixel(5, 5, 4, 4))
        assert coords(boundary) == {(3, 3), (3, 4), (4, 3)}

    def test_full_mask_has_no_boundary(self):
        assert not mask_to_boundary(np.ones((4, 6), bool)).any()

    def test_tolerance(self):
        # sqrt(10^2 + 10^2) * 0.008 = 0.113 -> 1 pixel.
        assert boundary_tolerance(10, 10) == 1
        # DAVIS 480p: sqrt(480^2 + 854^2) = 979.65, * 0.008 = 7.84 -> 8.
        assert boundary_tolerance(480, 854) == 8
        # sqrt(100^2 + 100^2) * 0.008 = 1.13 -> 2.
        assert boundary_tolerance(100, 100) == 2
        assert boundary_tolerance(480, 854, bound_th=3) == 3

    def test_disk_kernel(self):
        np.testing.assert_array_equal(
            disk_kernel(1), [[0, 1, 0], [1, 1, 1], [0, 1, 0]])
        # (+-2, +-1) is sqrt(5) > 2 away, so radius 2 keeps 13 offsets.
        assert disk_kernel(2).sum() == 13 and disk_kernel(2)[0, 1] == 0


class TestBoundaryFMeasure:

    def test_identical(self):
        assert frame_boundary_f_measure(box(10, 10, 2, 2), box(10, 10, 2,
                                                               2)) == 1.0

    def test_shift_inside_tolerance(self):
        # 10x10 image: tolerance 1 (a plus-shaped disk). gt box rows/cols
        # 2-3 has boundary rows 1-3 x cols 1-3 minus (2, 2); the prediction
        # shifted right by 1 has rows 1-3 x cols 2-4 minus (2, 3). Every
        # pixel of one is the same as, or 4-adjacent to, one of the other:
        # P = R = 1.
        pred, gt = box(10, 10, 2, 3), box(10, 10, 2, 2)
        assert frame_boundary_f_measure(pred, gt) == 1.0

    def test_shift_outside_tolerance(self):
        # Shift by 2: prediction boundary rows 1-3 x cols 3-5 minus (2, 4).
        # Column 5 (3 pixels) is 2 away from the gt boundary (cols 1-3):
        # P = 5 / 8. By symmetry column 1 of the gt is unmatched: R = 5 / 8.
        # F = 2 * P * R / (P + R) = 5 / 8.
        pred, gt = box(10, 10, 2, 4), box(10, 10, 2, 2)
        assert frame_boundary_f_measure(pred, gt) == pytest.approx(5 / 8)
        # An absolute tolerance of 2 pixels matches them all again.
        assert frame_boundary_f_measure(pred, gt, bound_th=2) == 1.0

    def test_default_tolerance_scales_with_image(self):
        # 100x100 image: tolerance 2. A 10x10 gt box at rows/cols 20-29 has
        # 40 boundary pixels (rows/cols 19-29 ring).
        gt = box(100, 100, 20, 20, 10, 10)
        assert frame_boundary_f_measure(box(100, 100, 20, 22, 10, 10),
                                        gt) == 1.0
        # Shift by 3 (ring at cols 22-32): matched prediction pixels are top
        # and bottom rows x = 22..31 (10 + 10), and the left column at
        # y = 20, 21, 27, 28 (within 2 of the gt top / bottom rows); the
        # right column (x = 32) is 3 away. P = 24 / 40; R likewise; F = 0.6.
        f = frame_boundary_f_measure(box(100, 100, 20, 23, 10, 10), gt)
        assert f == pytest.approx(0.6)

    def test_one_pixel_objects(self):
        gt = pixel(10, 10, 2, 2)  # boundary (1..2, 1..2)
        # Off by one: boundary (1..2, 2..3), every pixel within 1: F = 1
        # although J = 0.
        assert frame_boundary_f_measure(pixel(10, 10, 2, 3), gt) == 1.0
        # Off by three: boundary (1..2, 4..5), nearest gt pixel 2 away:
        # P = R = 0, so F = 0.
        assert frame_boundary_f_measure(pixel(10, 10, 2, 5), gt) == 0.0

    @pytest.mark.parametrize(
        'pred_empty, gt_empty, expected',
        [
            (True, True, 1.0),  # no boundaries at all: P = R = 1
            (True, False, 0.0),  # P = 1, R = 0
            (False, True, 0.0),  # P = 0, R = 1
        ])
    def test_empty_masks(self, pred_empty, gt_empty, expected):
        empty, full = np.zeros((10, 10), bool), box(10, 10, 2, 2)
        pred = empty if pred_empty else full
        gt = empty if gt_empty else full
        assert frame_boundary_f_measure(pred, gt) == expected

    def test_per_frame(self):
        gt = np.stack([box(10, 10, 2, 2)] * 3)
        pred = np.stack(
            [box(10, 10, 2, 2),
             box(10, 10, 2, 4),
             np.zeros((10, 10), bool)])
        np.testing.assert_allclose(
            boundary_f_measure(pred, gt), [1.0, 5 / 8, 0.0])


def test_video_j_and_f():
    gt = np.stack([box(10, 10, 2, 2), box(10, 10, 2, 2), np.zeros((10, 10))])
    pred = np.stack([
        box(10, 10, 2, 2),  # J = 1, F = 1
        np.zeros((10, 10)),  # J = 0, F = 0
        np.zeros((10, 10)),  # both empty: J = 1, F = 1
    ])
    j, f = video_j_and_f(pred, gt)
    assert j == pytest.approx(2 / 3) and f == pytest.approx(2 / 3)
