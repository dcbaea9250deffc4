"""imresize against values derived by hand from MATLAB's algorithm (Keys cubic a = -0.5)."""

from __future__ import annotations

import numpy as np
import pytest

from srmodels.resize import contributions, imresize

# x2 upscaling: output pixel k samples input coordinate k/2 + 1/4, whose four cubic
# weights at distances 1.75, 0.75, 0.25, 1.25 are these (they sum to one).
UP2 = [-0.0234375, 0.2265625, 0.8671875, -0.0703125]
# x1/2 downscaling: the kernel is stretched to width 8 and halved (antialiasing).
DOWN2 = [-0.01171875, -0.03515625, 0.11328125, 0.43359375]
DOWN2 = DOWN2 + DOWN2[::-1]


def test_it_uses_keys_cubic_weights_when_upscaling_by_two():
    weights, indices = contributions(10, 20, 2.0, "bicubic")
    # An interior output pixel with phase 1/4: taps on inputs k-1 .. k+2 (0-based).
    row = 5  # 1-based x = 6 -> u = 3.25
    assert list(indices[row][weights[row] != 0]) == [1, 2, 3, 4]
    assert weights[row][weights[row] != 0] == pytest.approx(UP2[::-1], abs=0)


def test_it_widens_the_kernel_when_downscaling_by_two():
    length = 16
    impulse = np.zeros((length, length))
    impulse[5, 5] = 1.0  # 1-based pixel 6
    out = imresize(impulse, 0.5)
    assert out.shape == (8, 8)
    # Output x (1-based) samples u = 2x - 1/2; pixel 6 sits at distance 2x - 6.5, so the
    # impulse response along each axis is the stretched kernel's taps.
    response = out[:, 2]  # column 3 sees pixel 6 with weight 0.43359375
    assert out[2, 2] == pytest.approx(DOWN2[4] * DOWN2[4], abs=1e-15)
    assert response[1:5] == pytest.approx(np.array(DOWN2[1::2]) * DOWN2[4], abs=1e-15)


def test_it_replicates_edge_pixels_like_matlab():
    row = np.array([[10.0, 20.0, 30.0, 40.0]])
    out = imresize(row, 2.0)
    assert out.shape == (2, 8)
    # First output pixel: the taps left of the image are clamped onto pixel 1.
    first = (UP2[0] + UP2[1] + UP2[2]) * 10 + UP2[3] * 20
    assert out[0, 0] == pytest.approx(first, abs=1e-12)
    assert first == pytest.approx(9.296875)
    second = (UP2[3] + UP2[2]) * 10 + UP2[1] * 20 + UP2[0] * 30
    assert out[0, 1] == pytest.approx(second, abs=1e-12)
    assert np.array_equal(out[0], out[1])  # a single row replicated vertically


def test_it_keeps_a_constant_image_constant():
    image = np.full((13, 17, 3), 173, dtype=np.uint8)
    for scale in (4, 3, 2.5, 1 / 4, 1 / 3, 0.7):
        out = imresize(image, scale)
        assert out.dtype == np.uint8
        assert np.all(out == 173), scale
    out = imresize(np.full((9, 7), 0.25), output_shape=(20, 5))
    assert out.shape == (20, 5)
    assert np.allclose(out, 0.25, atol=1e-15)


def test_it_reproduces_a_linear_ramp_away_from_the_borders():
    ramp = np.tile(np.arange(24, dtype=np.float64), (6, 1))  # value = column index
    out = imresize(ramp, 2.0)
    # Output column x (1-based) samples 0-based input coordinate x/2 + 1/4 - 1.
    x = np.arange(1, 49)
    expected = x / 2 + 0.25 - 1
    assert out[3, 4:-4] == pytest.approx(expected[4:-4], abs=1e-12)
    # At the edge the clamped taps bend the ramp: -0.0703125 where a line would give -0.25.
    assert out[3, 0] == pytest.approx(UP2[3], abs=1e-12)


def test_it_computes_output_sizes_as_matlab():
    image = np.zeros((480, 321), dtype=np.uint8)
    assert imresize(image, 1 / 3).shape == (160, 107)  # ceil, not float noise
    assert imresize(image, 4).shape == (1920, 1284)
    assert imresize(image, output_shape=(100, 50)).shape == (100, 50)
    assert imresize(np.zeros((5, 6, 4)), 2).shape == (10, 12, 4)


def test_it_rounds_uint8_after_each_dimension():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(40, 36, 3), dtype=np.uint8)
    out = imresize(image, 0.25)
    # MATLAB's imresizemex returns uint8 after the first (row) pass too.
    weights_r, idx_r = contributions(40, 10, 0.25, "bicubic")
    weights_c, idx_c = contributions(36, 9, 0.25, "bicubic")
    rows = np.einsum("ot,otwc->owc", weights_r, image[idx_r].astype(np.float64))
    rows = np.clip(np.floor(rows + 0.5), 0, 255)
    cols = np.einsum("ot,hotc->hoc", weights_c, rows[:, idx_c])
    assert np.array_equal(out, np.clip(np.floor(cols + 0.5), 0, 255).astype(np.uint8))


def test_it_keeps_float_dtypes():
    image = np.random.default_rng(0).random((8, 8, 3)).astype(np.float32)
    assert imresize(image, 2).dtype == np.float32
    assert imresize(image.astype(np.float64), 2).dtype == np.float64
    assert imresize(image.astype(np.float16), 2).dtype == np.float16


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"scale": 2, "output_shape": (4, 4)}, "exactly one"),
        ({"scale": 0}, "positive"),
        ({"scale": 2, "method": "lanczos3"}, "lanczos3"),
        ({"output_shape": (0, 3)}, "positive"),
    ],
)
def test_it_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        imresize(np.zeros((4, 4)), **kwargs)
