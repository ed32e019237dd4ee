"""Blending masks: the values of the formula, in bands of rows."""
import numpy as np

from unipixel_mm.visualization import UniPixelVisualizer, blend
from unipixel_mm.visualization.pixel_visualizer import object_color


def test_blend_values_and_overlaps():
    image = np.full((3, 4, 3), 100, np.uint8)
    masks = np.zeros((2, 3, 4), bool)
    masks[0, 0] = True
    masks[1, :2, :2] = True  # overlaps object 0 on row 0
    out = blend(image, masks, alpha=0.5)
    c0, c1 = np.array(object_color(0)), np.array(object_color(1))
    first = np.round(0.5 * 100 + 0.5 * c0)
    assert (out[0, 2:] == first).all()
    assert (out[0, :2] == np.round(0.5 * first + 0.5 * c1)).all()
    assert (out[1, :2] == np.round(0.5 * 100 + 0.5 * c1)).all()
    assert (out[2] == 100).all() and out.dtype == np.uint8
    assert (image == 100).all()  # the input is left as it was


def test_blend_in_bands_equals_whole_image():
    """A tall image is blended band by band (1 MiB of pixels a band): the
    bands join without a seam."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (700, 2000, 3), dtype=np.uint8)
    masks = rng.random((2, 700, 2000)) > 0.5
    out = blend(image, masks, alpha=0.3)
    expected = image.astype(np.float64)
    for i, mask in enumerate(masks):
        expected[mask] = np.round(0.7 * expected[mask] +
                                  0.3 * np.array(object_color(i)))
    assert np.array_equal(out, expected.astype(np.uint8))


def test_frame_without_prompts_is_the_blend():
    image = np.zeros((5, 6, 3), np.uint8)
    masks = np.ones((1, 5, 6), bool)
    drawn = UniPixelVisualizer(name='blend_only').draw_frame(image, masks)
    assert np.array_equal(drawn, blend(image, masks, 0.5))


def test_prompts_in_object_colours():
    image = np.zeros((60, 80, 3), np.uint8)
    drawn = UniPixelVisualizer(name='prompts').draw_frame(
        image, points=[(20, 30, 0)], boxes=[(40, 10, 70, 50, 1)])
    assert tuple(drawn[30, 20]) == object_color(0)  # the point's centre
    assert tuple(drawn[30, 40]) == object_color(1)  # the box's left edge
    assert tuple(drawn[30, 55]) == (0, 0, 0)  # inside the box, untouched
    assert (image == 0).all()
