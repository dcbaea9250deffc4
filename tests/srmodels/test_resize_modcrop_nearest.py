"""modcrop and nearest-neighbour upscaling."""

from __future__ import annotations

import numpy as np
import pytest

from srmodels.resize import imresize, modcrop, upscale_nearest


def test_it_crops_bottom_and_right_to_a_multiple_of_the_scale():
    image = np.arange(11 * 14 * 3).reshape(11, 14, 3)
    out = modcrop(image, 4)
    assert out.shape == (8, 12, 3)
    assert np.array_equal(out, image[:8, :12])
    assert modcrop(image[..., 0], 3).shape == (9, 12)
    assert modcrop(image, 1).shape == image.shape


def test_it_refuses_an_image_smaller_than_the_scale():
    with pytest.raises(ValueError, match="3x2 pixels is smaller than the scale 4"):
        modcrop(np.zeros((2, 3, 3), dtype=np.uint8), 4)


def test_it_upscales_nearest_exactly_as_matlab_imresize_nearest():
    image = np.random.default_rng(2).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    for scale in (2, 3, 4):
        out = upscale_nearest(image, scale)
        assert out.shape == (7 * scale, 9 * scale, 3)
        assert np.array_equal(out, imresize(image, scale, method="nearest"))
        assert np.array_equal(out[::scale, ::scale], image)


def test_it_does_not_antialias_nearest_downscaling():
    image = np.arange(64, dtype=np.float64).reshape(8, 8)
    out = imresize(image, 0.5, method="nearest")
    # Output x (1-based) samples u = 2x - 1/2; the half-open box picks pixel 2x.
    assert np.array_equal(out, image[1::2, 1::2])
