from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from study.protocol.config import parse_config
from study.protocol.services import create_study
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog
from tests.study.protocol.plan_checks import assert_follows_the_rules

pytestmark = pytest.mark.django_db


def test_it_writes_every_raters_plan_with_the_documented_columns(tmp_path):
    small_catalog()
    study, _ = create_study(name="s", config=parse_config(SMALL_TOML))
    out = tmp_path / "plans.csv"
    stdout = io.StringIO()

    call_command("export_plans", "s", "--out", str(out), stdout=stdout)

    with out.open() as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == [
        "rater",
        "position",
        "phase",
        "dataset",
        "image",
        "method",
        "repeat",
    ]
    per_rater = 4 + 4 * 4 + 3 * 3 + 2  # calibration + A + B + retest repeats
    assert len(rows) == 3 * per_rater
    assert f"{3 * per_rater} plan items of 's' written to {out}" in stdout.getvalue()
    first = [row for row in rows if row["rater"] == "1"]
    assert [(r["phase"], r["dataset"], r["method"]) for r in first[:4]] == [
        ("calibration", "Cal", "nearest"),
        ("calibration", "Cal", "hr"),
    ] * 2
    assert_follows_the_rules(first)
    assert {r["phase"] for r in rows} == {"calibration", "rating"}
    assert study.raters.count() == 3
