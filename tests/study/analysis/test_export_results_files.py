"""``export_results`` writes every file with the issue's columns, numbers checked by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from study.rating.models import Rating
from tests.study.analysis.helpers import EXPORT_FILES, paper_study, rate, set_metrics

pytestmark = pytest.mark.django_db

EXPECTED_FILES = set(EXPORT_FILES)
COLUMNS = {
    name: columns.split()
    for name, columns in {
        "ratings.csv": "rater dataset image method score repeat position response_ms server_ms "
        "submitted_at",
        "mos.csv": "dataset method n mos std ci95_low ci95_high psnr ssim ssim_daala",
        "wilcoxon.csv": "dataset method_a method_b n_pairs mos_a mos_b statistic p_value p_holm "
        "significant effect_size median_diff",
        "raters.csv": "rater n simulated calibration_ok bt500_rejected corr_with_mos score_std "
        "p910_bias p910_inconsistency",
        "subject_model.csv": "dataset image method quality ci95_low ci95_high",
        "retest.csv": "dataset method n_pairs mean_first mean_second share_identical",
    }.items()
}
# Rater r gives method m the score BASE[m] + OFFSET[r] on every image (clipped to 1..5).
BASE = {"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}
OFFSET = {0: 0, 1: -1, 2: 0}


def rated_study():
    small = paper_study(images=3, raters=3)
    set_metrics(
        small,
        {
            "nearest": (24.0, 0.70, 0.72),
            "bicubic": (26.0, 0.75, 0.78),
            "srgan-vgg54": (25.0, 0.7, 0.74),
        },
    )
    for index, rater in enumerate(small.raters):
        rate(rater, lambda d, i, m, r, k=index: min(5, max(1, BASE[m] + OFFSET[k])))
    return small


def test_it_writes_every_file_with_the_issue_columns(tmp_path):
    small = rated_study()
    out = tmp_path / "export"
    call_command("export_results", small.study.name, "--out", str(out))

    assert {p.name for p in out.iterdir()} == EXPECTED_FILES
    header = {
        name: pd.read_csv(out / name, nrows=0).columns.tolist()
        for name in EXPECTED_FILES
        if name.endswith(".csv")
    }
    for name, columns in COLUMNS.items():
        assert header[name][: len(columns)] == columns, name
    # The issue lists every column of these; raters.csv may add more after its nine.
    for name in ("ratings.csv", "mos.csv", "wilcoxon.csv", "subject_model.csv"):
        assert header[name] == COLUMNS[name]
    assert header["retest.csv"][:3] == ["dataset", "method", "n_pairs"]
    assert (out / "figure5.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "figure5.pdf").read_bytes()[:5] == b"%PDF-"
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == EXPECTED_FILES
    assert manifest["study"]["name"] == small.study.name
    assert manifest["software"]["srgan-mos"]
    assert manifest["raters"]["used"] == ["1", "2", "3"]
    assert manifest["raters"]["excluded"] == []
    assert manifest["ratings"] == {
        "analysed": Rating.objects.count(),
        "in_study": Rating.objects.count(),
    }


def test_it_exports_numbers_that_match_a_hand_computation(tmp_path):
    small = rated_study()
    out = tmp_path / "export"
    call_command("export_results", small.study.name, "--out", str(out))

    ratings = pd.read_csv(out / "ratings.csv")
    assert len(ratings) == Rating.objects.count() == 3 * (12 + 1)
    mos = pd.read_csv(out / "mos.csv").set_index("method")
    # The methods in the paper's order.
    assert list(mos.index) == ["nearest", "bicubic", "srgan-vgg54", "hr"]
    for method, base in BASE.items():
        scores = [min(5, max(1, base + OFFSET[k])) for k in range(3)] * 3  # 3 raters x 3 images
        assert mos.at[method, "n"] == 9
        assert mos.at[method, "mos"] == pytest.approx(np.mean(scores), abs=1e-12)
        assert mos.at[method, "std"] == pytest.approx(np.std(scores, ddof=1), abs=1e-12)
    assert mos.at["bicubic", "psnr"] == pytest.approx(26.0)
    assert mos.at["bicubic", "ssim_daala"] == pytest.approx(0.78)
    assert np.isinf(mos.at["hr", "psnr"])
    assert mos.at["hr", "ssim"] == 1.0
    # The retest repeat is in ratings.csv, but not in the MOS.
    assert ratings["repeat"].sum() == 3
    retest = pd.read_csv(out / "retest.csv")
    assert retest.loc[0, "n_pairs"] == 3
    assert retest.loc[0, "share_identical"] == 1.0
    raters = pd.read_csv(out / "raters.csv")
    assert list(raters["rater"]) == [1, 2, 3]
    assert list(raters["n"]) == [12, 12, 12]
    assert not raters["simulated"].any()
