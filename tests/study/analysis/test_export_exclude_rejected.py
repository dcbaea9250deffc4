"""``export_results --exclude-rejected``: the raters ``[quality] reject_if`` rejects are
left out of the statistics, kept in raters.csv and payments.csv, and the manifest says
who and why. Gold is decided when a rater finishes; too_fast only by the export."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from django.core.management import call_command

from study.protocol.models import Rater
from study.rating.models import Rating
from tests.study.protocol.quality_catalog import (
    PLAIN_TOML,
    careful_score,
    quality_catalog,
    quality_study,
    rate_plan,
)

pytestmark = pytest.mark.django_db

TOML = PLAIN_TOML.replace("raters = 3", "raters = 4") + (
    '[quality]\ngold = { dataset = "Gold", images = 2 }\n'
    'reject_if = ["gold", "too_fast"]\nscreen_out_code = "NOPAY"\n'
)
SCORES = {"nearest": 1, "bicubic": 3, "hr": 5}


def careful(item) -> int:
    return careful_score(item, SCORES[item.stimulus.output.method.key])


def gold_wrong(item) -> int:
    return 3 if item.stimulus.role == "gold" else careful(item)


def export(study, out, *flags) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    call_command("export_results", study.name, "--out", str(out), *flags)
    return (
        json.loads((out / "manifest.json").read_text()),
        pd.read_csv(out / "raters.csv", dtype={"rater": str, "rejected_for": str}),
        pd.read_csv(out / "mos.csv"),
    )


def test_it_leaves_out_rejected_raters_only_when_asked(tmp_path):
    quality_catalog()
    study = quality_study(text=TOML)
    raters = list(study.raters.order_by("number"))
    rate_plan(raters[0], gold_wrong)
    for rater in raters[1:]:
        rate_plan(rater, careful)
    # Rater 2 answers in 100 ms by the server's clock: the panel rule too_fast.
    Rating.objects.filter(plan_item__rater=raters[1]).update(server_ms=100)
    stored = dict(study.raters.values_list("number", "rejection_reasons"))
    assert stored == {1: "gold", 2: "", 3: "", 4: ""}  # too_fast is for exports only
    assert Rater.objects.get(pk=raters[0].pk).completion_code == "NOPAY"

    manifest, table, mos = export(study, tmp_path / "all")
    assert manifest["options"]["exclude_rejected"] is False
    assert manifest["raters"]["used"] == ["1", "2", "3", "4"]
    assert manifest["raters"]["reject_if"] == ["gold", "too_fast"]
    assert manifest["raters"]["rejected"] == [
        {"rater": "1", "reasons": ["gold"]},
        {"rater": "2", "reasons": ["too_fast"]},
    ]
    assert table["rejected_for"].fillna("").tolist() == ["gold", "too_fast", "", ""]
    assert table["accepted"].tolist() == [False, False, True, True]
    assert mos["n"].tolist() == [12, 12, 12]  # 4 raters x 3 photographs

    manifest, table, mos = export(study, tmp_path / "accepted", "--exclude-rejected")
    assert manifest["options"]["exclude_rejected"] is True
    assert manifest["raters"]["used"] == ["3", "4"]
    assert manifest["raters"]["excluded"] == [
        {"rater": "1", "reasons": ["gold"]},
        {"rater": "2", "reasons": ["too_fast"]},
    ]
    # Still listed, with the reasons, never deleted.
    assert table["rater"].tolist() == ["1", "2", "3", "4"]
    assert table["excluded"].fillna("").tolist() == ["gold", "too_fast", "", ""]
    assert mos["n"].tolist() == [6, 6, 6]
    assert Rater.objects.filter(study=study).count() == 4
