"""Autocast and channels-last change speed, not the picture (run on CPU here, CUDA in use)."""

from __future__ import annotations

import numpy as np
import pytest

from srmodels.engine import Upscaler
from tests.srmodels.engine_helpers import rgb, small_weights


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_it_matches_fp32_under_autocast_with_channels_last(precision, tmp_path):
    weights = small_weights(tmp_path, "srresnet-mse", contrast=4.0)
    images = [rgb(24, 20, seed=i) for i in range(3)]
    reference = Upscaler("srresnet-mse", weights=weights, precision="fp32").upscale(images)
    fast = Upscaler(
        "srresnet-mse", weights=weights, precision=precision, channels_last=True
    ).upscale(images)
    for a, b in zip(fast, reference, strict=True):
        assert a.dtype == np.uint8
        diff = np.abs(a.astype(int) - b.astype(int))
        assert b.std() > 10
        assert diff.mean() < 0.2
        assert diff.max() <= 2
