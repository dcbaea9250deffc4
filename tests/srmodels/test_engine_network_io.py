"""network_input / network_target: the tensors training must use to match inference."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from srmodels.color import rgb2ycbcr
from srmodels.engine import Upscaler, network_input, network_target
from srmodels.resize import imresize
from tests.srmodels.engine_helpers import rgb, small_weights


def test_it_feeds_rgb_networks_the_lr_image_in_unit_range_and_targets_minus_one_to_one():
    lr, hr = rgb(6, 5), rgb(24, 20, seed=1)
    x = network_input(lr, method="srgan-vgg54", scale=4)
    assert x.shape == (3, 6, 5)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x[:, 2, 3], lr[2, 3] / 255.0, rtol=1e-6)
    y = network_target(hr, method="srresnet-mse")
    np.testing.assert_allclose(y[:, 0, 0], hr[0, 0] / 127.5 - 1.0, rtol=1e-5, atol=1e-6)
    assert y.min() >= -1.0
    assert y.max() <= 1.0


def test_it_feeds_srcnn_the_y_of_the_bicubic_image():
    lr = rgb(8, 6)
    x = network_input(lr, method="srcnn", scale=3)
    assert x.shape == (1, 24, 18)
    expected = rgb2ycbcr(imresize(lr, 3))[..., 0] / 255.0
    np.testing.assert_allclose(x[0], expected, rtol=1e-6)
    assert network_input(lr, method="espcn", scale=4).shape == (1, 8, 6)
    np.testing.assert_allclose(
        network_target(rgb(8, 8), method="drcn")[0], rgb2ycbcr(rgb(8, 8))[..., 0] / 255.0, rtol=1e-6
    )


def test_it_matches_what_the_engine_feeds_its_network(tmp_path):
    weights = small_weights(tmp_path, "srresnet-mse")
    upscaler = Upscaler("srresnet-mse", weights=weights)
    lr = rgb(10, 8)
    raw = upscaler.run_model(
        torch.from_numpy(network_input(lr, method="srresnet-mse", scale=4))[None]
    )
    expected = np.floor(
        np.clip((raw[0].float().numpy().transpose(1, 2, 0) + 1) / 2, 0, 1) * 255 + 0.5
    )
    np.testing.assert_array_equal(upscaler.upscale([lr])[0], expected.astype(np.uint8))


def test_it_refuses_interpolations():
    with pytest.raises(ValueError, match="has no network"):
        network_input(rgb(4, 4), method="bicubic", scale=4)
