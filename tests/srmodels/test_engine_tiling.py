"""Tiled inference must be invisible: tiled and untiled outputs within one grey level."""

from __future__ import annotations

import numpy as np
import pytest

from srmodels.engine import Upscaler, _tile_spans
from tests.srmodels.engine_helpers import rgb, small_weights


@pytest.fixture(scope="module")
def srresnet(tmp_path_factory):
    # Deeper than the other tests' networks: a wide receptive field is what makes seams.
    folder = tmp_path_factory.mktemp("weights")
    return small_weights(folder, "srresnet-mse", num_blocks=8, num_features=16)


def max_diff(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.abs(a.astype(int) - b.astype(int)).max())


def test_it_tiles_srresnet_within_one_grey_level(srresnet):
    image = rgb(70, 53, seed=5)
    whole = Upscaler("srresnet-mse", weights=srresnet).upscale([image])[0]
    assert whole.std() > 20  # outputs with structure, not a flat grey
    tiled = Upscaler("srresnet-mse", weights=srresnet, tile=40, tile_overlap=16, batch_size=3)
    out = tiled.upscale([image])[0]
    assert out.shape == whole.shape
    assert max_diff(out, whole) <= 1


def test_it_shows_seams_when_the_overlap_is_too_small(srresnet):
    # The guard above can fail: with 2 pixels of context the tiles disagree visibly.
    image = rgb(70, 53, seed=5)
    whole = Upscaler("srresnet-mse", weights=srresnet).upscale([image])[0]
    out = Upscaler("srresnet-mse", weights=srresnet, tile=20, tile_overlap=2).upscale([image])[0]
    assert max_diff(out, whole) > 1


def test_it_tiles_a_y_model_on_the_upsampled_grid(tmp_path):
    weights = small_weights(tmp_path, "srcnn", contrast=1.0)
    image = rgb(30, 22, seed=6)
    whole = Upscaler("srcnn", weights=weights).upscale([image])[0]
    out = Upscaler("srcnn", weights=weights, tile=48, tile_overlap=8).upscale([image])[0]
    assert max_diff(out, whole) <= 1


def test_it_leaves_images_within_the_tile_untiled(srresnet):
    image = rgb(20, 20)
    whole = Upscaler("srresnet-mse", weights=srresnet).upscale([image])[0]
    same = Upscaler("srresnet-mse", weights=srresnet, tile=20, tile_overlap=4).upscale([image])
    np.testing.assert_array_equal(same[0], whole)


@pytest.mark.parametrize(("length", "tile", "overlap"), [(100, 40, 8), (41, 40, 8), (7, 5, 1)])
def test_it_covers_every_pixel_once_with_equal_windows(length, tile, overlap):
    spans = _tile_spans(length, tile, overlap)
    centres = [i for _, _, c0, c1 in spans for i in range(c0, c1)]
    assert centres == list(range(length))
    for start, end, c0, c1 in spans:
        assert end - start == tile
        assert 0 <= start <= c0
        assert c1 <= end <= length
        assert c0 - start >= overlap or start == 0
        assert end - c1 >= overlap or end == length
