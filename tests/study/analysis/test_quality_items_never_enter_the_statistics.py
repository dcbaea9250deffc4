"""Gold and attention answers judge raters, never methods: a study with quality items
and one without, rated alike otherwise, export the same statistics to the byte."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.management import call_command

from study.analysis.selectors import quality_checks, ratings_frame
from tests.study.protocol.quality_catalog import (
    PLAIN_TOML,
    QUALITY_TOML,
    careful_score,
    quality_catalog,
    quality_study,
    rate_plan,
)

pytestmark = pytest.mark.django_db

BASE = {"nearest": 1, "bicubic": 3, "hr": 5}
STATISTICS = [
    "mos.csv",
    "wilcoxon.csv",
    "subject_model.csv",
    "retest.csv",
    "table1.tex",
    "table2.tex",
    "tables.md",
    "figure5.png",
]


def scorer(number: int):
    """Rater ``number``'s score of a rated item; a check item answered as it asks."""

    def answer(item) -> int:
        output = item.stimulus.output
        if item.stimulus.role != "rating":
            return careful_score(item, 0)
        image = int(output.image.name[-1])
        base = BASE[output.method.key] + (number + image + item.repeat) % 3 - 1
        return min(5, max(1, base))

    return answer


def export(study, tmp_path) -> dict[str, bytes]:
    for rater in study.raters.order_by("number"):
        rate_plan(rater, scorer(rater.number))
    out = tmp_path / study.name
    call_command("export_results", study.name, "--out", str(out))
    return {path.name: path.read_bytes() for path in out.iterdir()}


def test_it_exports_the_same_statistics_with_and_without_quality_items(tmp_path):
    quality_catalog()
    plain = export(quality_study("plain", PLAIN_TOML), tmp_path)
    checked_study = quality_study("checked", QUALITY_TOML)
    checked = export(checked_study, tmp_path)

    for name in STATISTICS:
        # tables.md is headed by the study's name, the one difference allowed.
        assert checked[name].replace(b"# checked:", b"# plain:") == plain[name], name
    # ratings.csv: the same ratings (their plan positions and times differ).
    same = ["rater", "dataset", "image", "method", "score", "repeat"]
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "checked" / "ratings.csv")[same],
        pd.read_csv(tmp_path / "plain" / "ratings.csv")[same],
    )
    frame = ratings_frame(study=checked_study)
    assert set(frame["dataset"]) == {"A"}
    assert not frame["method"].str.startswith("attention").any()
    # The checks were answered (5 per rater) and passed; the dashboard counts them apart.
    checks = quality_checks(study=checked_study)
    assert checks["gold_ok"].tolist() == [True] * 3
    assert checks["attention_ok"].tolist() == [True] * 3
    raters = pd.read_csv(tmp_path / "checked" / "raters.csv")
    assert raters["accepted"].tolist() == [True] * 3
    assert raters["n"].tolist() == [9, 9, 9]
