"""The acceptance figures of bicubic upscaling on the benchmarks' published LR images."""

from __future__ import annotations

import numpy as np
import pytest

from srmodels.engine import Upscaler
from srmodels.imageio import load_image
from srmodels.metrics import psnr
from tests.services import require_datasets


@pytest.mark.parametrize(
    ("dataset", "expected"), [("Set5", 28.42), ("Set14", 26.09), ("BSD100", 25.96)]
)
def test_it_reproduces_the_bicubic_psnr_of_the_benchmarks(dataset, expected):
    folder = require_datasets("benchmarks", dataset, "x4")
    hr_paths = sorted(folder.glob("*_HR.png"))
    lr = [load_image(p.with_name(p.name.replace("_HR", "_LR"))) for p in hr_paths]
    sr = Upscaler("bicubic", scale=4).upscale(lr)
    values = [psnr(s, load_image(h), border=4) for s, h in zip(sr, hr_paths, strict=True)]
    assert abs(np.mean(values) - expected) <= 0.02


def test_it_matches_the_published_set5_bicubic_images():
    lr_dir = require_datasets("benchmarks", "Set5", "x4")
    published = require_datasets("outputs", "Set5", "x4")
    names = [f"img_00{i}_SRF_4" for i in range(1, 6)]
    sr = Upscaler("bicubic").upscale([load_image(lr_dir / f"{n}_LR.png") for n in names])
    diffs = [
        np.abs(s.astype(int) - load_image(published / f"{n}_bicubic.png")).mean()
        for s, n in zip(sr, names, strict=True)
    ]
    assert np.mean(diffs) <= 0.5
