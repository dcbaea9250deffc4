"""rgb2ycbcr / ycbcr2rgb / rgb2y / rgb2gray with MATLAB's values."""

from __future__ import annotations

import numpy as np
import pytest

from srmodels.color import rgb2gray, rgb2y, rgb2ycbcr, ycbcr2rgb


def test_it_maps_black_white_and_primaries_to_matlab_values():
    pixels = np.array(
        [[[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255]]], dtype=np.uint8
    )
    ycbcr = rgb2ycbcr(pixels)
    assert ycbcr.dtype == np.float64
    expected = [
        [16, 128, 128],
        [235, 128, 128],  # studio swing: white is Y 235, neutral chroma 128
        [16 + 65.481, 128 - 37.797, 128 + 112],
        [16 + 128.553, 128 - 74.203, 128 - 93.786],
        [16 + 24.966, 128 + 112, 128 - 18.214],
    ]
    assert ycbcr[0] == pytest.approx(np.array(expected), abs=1e-12)


def test_it_rounds_y_half_away_from_zero_like_matlab_uint8():
    # Y of (1, 2, 0) is 16 + (65.481 + 257.106) / 255 = 17.2650...; of grey 128: 125.9294...
    pixels = np.array([[[1, 2, 0], [128, 128, 128], [100, 50, 200]]], dtype=np.uint8)
    assert rgb2y(pixels, round=False)[0] == pytest.approx(
        [17.265047058823529, 125.92941176470588, 16 + (6548.1 + 6427.65 + 4993.2) / 255]
    )
    assert list(rgb2y(pixels)[0]) == [17.0, 126.0, 86.0]
    assert rgb2y(np.full((1, 1, 3), 255, dtype=np.uint8))[0, 0] == 235.0


def test_it_inverts_rgb2ycbcr():
    rgb = np.random.default_rng(0).integers(0, 256, (16, 16, 3)).astype(np.uint8)
    back = ycbcr2rgb(rgb2ycbcr(rgb))
    assert np.abs(back - rgb).max() < 1e-9
    assert ycbcr2rgb(np.array([[[300.0, 128.0, 128.0]]]))[0, 0] == pytest.approx([255] * 3)


def test_it_keeps_grey_values_in_rgb2gray():
    grey = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2)
    assert np.array_equal(rgb2gray(grey)[0], np.arange(256))
    assert rgb2gray(np.array([[[255, 0, 0]]], dtype=np.uint8))[0, 0] == 76.0  # 0.2989 * 255


def test_it_rejects_non_rgb_shapes():
    with pytest.raises(ValueError, match="HxWx3"):
        rgb2y(np.zeros((4, 4)))
