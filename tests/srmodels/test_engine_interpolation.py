from __future__ import annotations

import numpy as np
import pytest

from srmodels.engine import Upscaler
from srmodels.resize import imresize, upscale_nearest
from tests.srmodels.engine_helpers import rgb


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_it_runs_bicubic_and_nearest_through_the_same_interface(scale):
    images = [rgb(20, 16, seed=1), rgb(13, 9, seed=2)]
    bicubic = Upscaler("bicubic", scale=scale).upscale(images)
    nearest = Upscaler("nearest", scale=scale).upscale(images)
    for image, b, n in zip(images, bicubic, nearest, strict=True):
        np.testing.assert_array_equal(b, imresize(image, scale))
        np.testing.assert_array_equal(n, upscale_nearest(image, scale))
        assert b.dtype == np.uint8
        assert b.shape == (
            image.shape[0] * scale,
            image.shape[1] * scale,
            3,
        )


def test_it_reports_no_checksum_and_cpu_for_interpolations():
    upscaler = Upscaler("bicubic", scale=4)
    assert (upscaler.method, upscaler.scale, upscaler.device) == ("bicubic", 4, "cpu")
    assert upscaler.weights_checksum == ""


def test_it_refuses_weights_for_an_interpolation(tmp_path):
    with pytest.raises(ValueError, match="takes no weights"):
        Upscaler("nearest", weights=tmp_path / "x.safetensors")


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((8, 8, 3), np.float32), "uint8"),
        (np.zeros((8, 8), np.uint8), "HxWx3"),
        (np.zeros((0, 8, 3), np.uint8), "HxWx3"),
        ([[1, 2, 3]], "uint8 numpy array"),
    ],
)
def test_it_names_the_bad_image_in_a_list(image, message):
    with pytest.raises(ValueError, match=f"image 1 .*{message}"):
        Upscaler("bicubic").upscale([rgb(8, 8), image])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0}, "scale must be a positive integer"),
        ({"batch_size": 0}, "batch_size"),
        ({"tile": 16, "tile_overlap": 8}, "larger than twice tile_overlap"),
        ({"precision": "int8"}, "precision must be one of auto, fp32, bf16, fp16"),
    ],
)
def test_it_rejects_bad_settings_with_the_setting_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Upscaler("bicubic", **kwargs)
