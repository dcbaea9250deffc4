from __future__ import annotations

import numpy as np
import pytest

from srmodels.engine import Upscaler
from tests.srmodels.engine_helpers import rgb, small_weights


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return small_weights(tmp_path_factory.mktemp("w"), "srresnet-mse")


def test_it_gives_the_same_pixels_batched_and_one_by_one_in_input_order(weights):
    images = [rgb(24, 16, seed=i) for i in range(3)] + [rgb(16, 24, seed=9), rgb(24, 16, seed=7)]
    one = Upscaler("srresnet-mse", weights=weights, batch_size=1)
    many = Upscaler("srresnet-mse", weights=weights, batch_size=4)
    singles = [one.upscale([image])[0] for image in images]
    batched = many.upscale(images)
    assert [b.shape for b in batched] == [(96, 64, 3)] * 3 + [(64, 96, 3), (96, 64, 3)]
    for s, b in zip(singles, batched, strict=True):
        assert np.abs(s.astype(int) - b.astype(int)).max() <= 1


def test_it_runs_the_model_in_eval_mode_deterministically(weights):
    upscaler = Upscaler("srresnet-mse", weights=weights)
    image = rgb(12, 12)
    first, second = upscaler.upscale([image]), upscaler.upscale([image])
    np.testing.assert_array_equal(first[0], second[0])


def test_it_upscales_an_image_smaller_than_the_scale(weights):
    out = Upscaler("srresnet-mse", weights=weights).upscale([rgb(1, 3)])[0]
    assert out.shape == (4, 12, 3)
