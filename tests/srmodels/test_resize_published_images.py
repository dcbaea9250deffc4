"""imresize reproduces the benchmarks' MATLAB-made images (../shared/datasets).

Downscaling each modcropped HR image reproduces the published LR file, and upscaling the
Set5 LR reproduces Huang et al.'s published bicubic images: both bit for bit, which
pins MATLAB's edge clamping and its uint8 rounding after each dimension.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from srmodels.imageio import load_image
from srmodels.resize import imresize, modcrop, upscale_nearest
from tests.services import require_datasets
from tests.srmodels.numerics_helpers import benchmark_pairs


def _downscale_error(pair) -> tuple[float, bool]:
    _, hr_path, lr_path = pair
    lr = load_image(lr_path)
    made = imresize(modcrop(load_image(hr_path), 4), 1 / 4)
    assert made.shape == lr.shape
    return float(np.abs(made.astype(np.int16) - lr).mean()), bool(np.array_equal(made, lr))


@pytest.mark.parametrize(("dataset", "count"), [("Set5", 5), ("Set14", 14), ("BSD100", 100)])
def test_it_reproduces_the_published_lr_images(dataset, count):
    pairs = list(benchmark_pairs(dataset))
    assert len(pairs) == count
    with ThreadPoolExecutor() as pool:
        results = list(pool.map(_downscale_error, pairs))
    assert np.mean([mad for mad, _ in results]) <= 0.3  # the acceptance bound
    assert all(identical for _, identical in results)  # what MATLAB's algorithm gives


def test_it_reproduces_the_published_set5_bicubic_and_nearest_images():
    outputs = require_datasets("outputs", "Set5", "x4")
    for name, _, lr_path in benchmark_pairs("Set5"):
        lr = load_image(lr_path)
        bicubic = load_image(outputs / f"{name}_bicubic.png")
        nearest = load_image(outputs / f"{name}_nearest.png")
        ours = imresize(lr, 4)
        assert np.abs(ours.astype(np.int16) - bicubic).mean() <= 0.5  # the acceptance bound
        assert np.array_equal(ours, bicubic), name
        assert np.array_equal(upscale_nearest(lr, 4), nearest), name
