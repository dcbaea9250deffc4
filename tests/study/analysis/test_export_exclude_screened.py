"""Screening marks raters; ``--exclude-screened`` drops them, and every file says so."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from django.core.management import call_command

from study.analysis.services import simulate_raters
from tests.study.analysis.helpers import paper_study, rate

pytestmark = pytest.mark.django_db

QUALITY = {"nearest": 1.5, "bicubic": 2.5, "srgan-vgg54": 3.5, "hr": 4.5}


def study_with_a_straight_liner():
    # Rater 1 answers 3 to everything (13 ratings): a straight-liner by any rule.
    small = paper_study(images=3, raters=1)
    rate(small.raters[0], lambda *_: 3)
    simulate_raters(study=small.study, count=12, seed=2, quality=QUALITY, noise_sd=0.3, bias_sd=0.1)
    return small


def export(small, out, *flags):
    call_command("export_results", small.study.name, "--out", str(out), *flags)
    return (
        pd.read_csv(out / "ratings.csv", dtype={"rater": str}),
        pd.read_csv(out / "raters.csv", dtype={"rater": str, "excluded": str}).set_index("rater"),
        pd.read_csv(out / "mos.csv").set_index("method"),
        json.loads((out / "manifest.json").read_text()),
    )


def test_it_flags_but_keeps_a_screened_rater_by_default(tmp_path):
    small = study_with_a_straight_liner()
    ratings, raters, mos, manifest = export(small, tmp_path / "all")

    assert "1" in set(ratings["rater"])
    assert raters.at["1", "flagged"]
    assert "straight_lining" in raters.at["1", "reasons"]
    assert pd.isna(raters.at["1", "excluded"])
    assert manifest["raters"]["excluded"] == []
    flagged = {f["rater"]: f for f in manifest["raters"]["flagged"]}
    assert "straight_lining" in flagged["1"]["reasons"]
    assert flagged["1"]["excluded"] is False
    assert mos.at["nearest", "n"] == 13 * 3


def test_it_excludes_the_screened_raters_and_lists_them_with_reasons(tmp_path):
    small = study_with_a_straight_liner()
    _, _, before, _ = export(small, tmp_path / "all")
    ratings, raters, mos, manifest = export(small, tmp_path / "screened", "--exclude-screened")

    flagged = set(raters.index[raters["flagged"]])
    assert "1" in flagged
    assert set(ratings["rater"]).isdisjoint(flagged)
    assert {e["rater"] for e in manifest["raters"]["excluded"]} == flagged
    excluded = {e["rater"]: e["reasons"] for e in manifest["raters"]["excluded"]}
    assert "straight_lining" in excluded["1"]
    assert "straight_lining" in raters.at["1", "excluded"]
    assert set(manifest["raters"]["used"]) == set(ratings["rater"])
    assert manifest["options"]["exclude_screened"] is True
    # raters.csv still lists everybody; the MOS lost the excluded raters' ratings.
    assert len(raters) == 13
    n_used = 13 - len(flagged)
    assert mos.at["nearest", "n"] == 3 * n_used
    used = ratings[(ratings["method"] == "nearest") & (ratings["repeat"] == 0)]
    assert mos.at["nearest", "mos"] == pytest.approx(used["score"].mean(), abs=1e-12)
    assert mos.at["nearest", "mos"] < before.at["nearest", "mos"]  # the 3s pulled NN up
