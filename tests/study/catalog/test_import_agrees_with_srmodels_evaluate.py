"""Acceptance: the catalog's stored metrics are srmodels' metrics, on the real benchmark data."""

from __future__ import annotations

import math
import time
from io import StringIO

import pytest
from django.core.management import call_command

from study.catalog.models import Output, SourceImage
from tests.services import require_datasets
from tests.study.catalog.shared import (
    SRGAN_AUTHORS_METHODS,
    srmodels_evaluate,
    write_rename_csv,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BENCHMARKS = ("Set5", "Set14", "BSD100")
# Set5 outputs of Huang et al. (file method name -> method key).
PUBLISHED_SET5 = {"nearest": "nearest", "bicubic": "bicubic", "SRCNN": "srcnn"}
# Mean PSNR: the paper's Table 2 for Set5 (an independent reference for these
# published files), the datasets README for the authors' Set14 outputs (the paper's
# Set14 figures were measured on other files). Tolerance: the tables' rounding.
PAPER_SET5_PSNR = {
    "nearest": 26.26,
    "bicubic": 28.43,
    "srcnn": 30.07,
    "selfexsr": 30.33,
    "srresnet-mse": 32.05,
    "srgan-vgg54": 29.40,
}
README_SET14_PSNR = {"srresnet-mse": 28.60, "srgan-vgg54": 26.12}


def command(*args: str) -> None:
    call_command(*args, stdout=StringIO(), stderr=StringIO())


def stored_psnr(dataset: str, method: str) -> dict[str, float | None]:
    return dict(
        Output.objects.filter(image__dataset__name=dataset, method__key=method).values_list(
            "image__name", "psnr"
        )
    )


def assert_agrees(stored: dict[str, float | None], evaluated: dict[str, dict]) -> None:
    assert set(stored) == set(evaluated)
    for name, psnr in stored.items():
        assert psnr == pytest.approx(evaluated[name]["psnr"], abs=1e-3), name


def test_it_stores_the_psnr_that_srmodels_evaluate_reports(tmp_path, media_root):
    data = require_datasets()
    timings = {}
    start = time.perf_counter()
    for name in BENCHMARKS:
        command(
            "import_dataset", name, str(data / "benchmarks" / name / "x4"), "--scale", "4",
            "--pattern", "{name}_SRF_4_HR.png", "--lr-pattern", "{name}_SRF_4_LR.png",
        )  # fmt: skip
    timings["benchmarks"] = time.perf_counter() - start
    start = time.perf_counter()
    command(
        "import_dataset", "BSD300-train", str(data / "train" / "BSD300-train"), "--scale", "4",
        "--role", "calibration",
    )  # fmt: skip
    timings["BSD300-train"] = time.perf_counter() - start

    published = data / "outputs" / "Set5" / "x4"
    for file_method, key in PUBLISHED_SET5.items():
        command(
            "import_outputs", "Set5", key, str(published), "--pattern",
            f"{{name}}_SRF_4_{file_method}.png", "--replace",
        )  # fmt: skip
    command(
        "import_outputs", "Set5", "selfexsr", str(published), "--pattern",
        "{name}_SRF_4_SelfExSR.png", "--label", "SelfExSR",
    )  # fmt: skip
    for dataset in ("Set5", "Set14"):
        rename = write_rename_csv(tmp_path / f"{dataset}.csv", dataset)
        for folder, key in SRGAN_AUTHORS_METHODS.items():
            # The folder holds Set5 and Set14 together: the other set's files are "extra".
            command(
                "import_outputs", dataset, key, str(data / "outputs" / "srgan-authors" / folder),
                "--pattern", f"{{name}}_{folder}.png", "--rename", str(rename),
            )  # fmt: skip

    assert SourceImage.objects.filter(dataset__name="BSD100").count() == 100
    assert SourceImage.objects.filter(dataset__name="BSD300-train").count() == 200

    # Published Set5 outputs: evaluated on the source files, independently of our storage.
    hr_options = ["--hr", str(data / "benchmarks" / "Set5" / "x4"), "--scale", "4"]
    for file_method, key in {**PUBLISHED_SET5, "SelfExSR": "selfexsr"}.items():
        evaluated = srmodels_evaluate(
            *hr_options, "--sr", str(published), "--hr-pattern", "{name}_SRF_4_HR.png",
            "--sr-pattern", f"{{name}}_SRF_4_{file_method}.png",
        )  # fmt: skip
        assert_agrees(stored_psnr("Set5", key), evaluated)

    # Everything stored, including the generated nearest / bicubic outputs of every
    # dataset: evaluated on the stored files against the stored HR.
    methods = {
        "Set5": [*PAPER_SET5_PSNR],
        "Set14": ["nearest", "bicubic", *README_SET14_PSNR],
        "BSD100": ["nearest", "bicubic"],
        "BSD300-train": ["nearest", "bicubic"],
    }
    for dataset, keys in methods.items():
        for key in keys:
            evaluated = srmodels_evaluate(
                "--hr", str(media_root / "datasets" / dataset / "hr"), "--scale", "4",
                "--sr", str(media_root / "outputs" / dataset / key),
            )  # fmt: skip
            assert_agrees(stored_psnr(dataset, key), evaluated)

    # And the means are the published figures (to their rounding).
    means = {}
    for dataset, expected in (("Set5", PAPER_SET5_PSNR), ("Set14", README_SET14_PSNR)):
        for key in expected:
            values = list(stored_psnr(dataset, key).values())
            means[dataset, key] = math.fsum(values) / len(values)
    print(f"mean PSNR: {means}")
    for (dataset, key), mean in means.items():
        expected = PAPER_SET5_PSNR if dataset == "Set5" else README_SET14_PSNR
        assert mean == pytest.approx(expected[key], abs=0.015), (dataset, key, mean)
    # The HR reference has no PSNR (it is infinite), stored as NULL.
    assert set(stored_psnr("BSD100", "hr").values()) == {None}
    print(f"import timings (s): {timings}")
