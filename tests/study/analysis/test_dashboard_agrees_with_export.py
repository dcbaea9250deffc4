"""The dashboard and the export compute through one pipeline: the same numbers, to the bit."""

from __future__ import annotations

import pandas as pd
import pytest

from study.analysis.dashboard import live_summary
from study.analysis.exports import analyse
from study.analysis.services import simulate_raters
from tests.study.analysis.helpers import by_method, paper_study, rate

pytestmark = pytest.mark.django_db

QUALITY = {"nearest": 1.4, "bicubic": 2.2, "srgan-vgg54": 3.6, "hr": 4.4}


def test_it_shows_the_exports_mos_wilcoxon_and_screening():
    small = paper_study(images=3, raters=1)
    rate(small.raters[0], lambda *_: 3)  # all 3s: screening gives reasons
    simulate_raters(study=small.study, count=9, seed=7, quality=QUALITY, noise_sd=0.6)

    summary = live_summary(study=small.study)
    analysis = analyse(study=small.study)

    assert summary["ratings"] == analysis.total_ratings == 10 * 13
    pd.testing.assert_frame_equal(summary["mos"], analysis.mos, check_exact=True)
    pd.testing.assert_frame_equal(summary["wilcoxon"], analysis.wilcoxon, check_exact=True)
    assert summary["screening"]["1"] == "calibration;straight_lining"
    assert summary["screening"] == dict(
        zip(analysis.raters["rater"], analysis.raters["reasons"], strict=True)
    )
    assert summary["methods"] == ["nearest", "bicubic", "srgan-vgg54", "hr"]


def test_it_shows_empty_tables_before_the_first_rating():
    small = paper_study()
    summary = live_summary(study=small.study)
    assert summary["ratings"] == 0
    assert summary["mos"].empty
    assert summary["wilcoxon"].empty
    rate(small.raters[0], by_method({"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}))
    # A new rating is a new cache entry: the summary follows.
    assert live_summary(study=small.study)["ratings"] == 13
