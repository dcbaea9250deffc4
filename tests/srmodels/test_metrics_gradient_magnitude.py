"""The sharpness statistic: a blurred image has a smaller mean gradient than the original."""

from __future__ import annotations

import numpy as np
import pytest

from srmodels.metrics import gradient_magnitude
from srmodels.resize import imresize


def test_it_is_the_slope_of_a_ramp() -> None:
    ramp = np.tile(np.arange(0, 200, 4, dtype=np.uint8), (20, 1))
    image = np.repeat(ramp[..., None], 3, axis=2)
    # Y = 16 + 219/255 * grey, so a grey step of 4 per pixel is a Y step of 4 * 219 / 255.
    assert gradient_magnitude(image) == pytest.approx(4 * 219 / 255, rel=1e-9)
    assert gradient_magnitude(np.full((20, 20, 3), 90, np.uint8)) == 0.0


def test_it_falls_when_an_image_is_blurred() -> None:
    rng = np.random.default_rng(0)
    sharp = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    blurred = imresize(imresize(sharp, 0.25), 4)
    assert gradient_magnitude(blurred) < 0.5 * gradient_magnitude(sharp)
    with pytest.raises(ValueError, match="too small"):
        gradient_magnitude(sharp[:9, :9], border=4)
