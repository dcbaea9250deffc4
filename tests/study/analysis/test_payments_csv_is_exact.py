"""``payments.csv``: who to pay, from the link's id to acceptance, pinned line by line.

One accepted rater (Prolific), one rejected for a gold item (MTurk), one unfinished
(``?pid=``); the study's fourth place was filled by ``simulate_raters`` and a fifth
simulated rater added: nobody to pay, so neither is listed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from django.core.management import call_command

from study.protocol.models import Rater
from study.rating.services import remember_external_id
from tests.study.protocol.quality_catalog import (
    QUALITY_TOML,
    careful_score,
    quality_catalog,
    quality_study,
    rate_plan,
)

pytestmark = pytest.mark.django_db


def careful(item) -> int:
    return careful_score(item, 4 if item.stimulus.output.method.key == "hr" else 2)


def gold_wrong(item) -> int:
    if item.stimulus.role == "gold" and item.stimulus.output.method.key == "hr":
        return 1
    return careful(item)


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 1, 5, hour, minute, second, tzinfo=UTC)


def test_it_lists_each_person_with_platform_code_time_items_and_acceptance(tmp_path):
    quality_catalog()
    study = quality_study(text=QUALITY_TOML.replace("raters = 3", "raters = 4"))
    alice, bob, carol = (study.raters.get(number=n) for n in (1, 2, 3))
    for rater, params in (
        (alice, {"PROLIFIC_PID": "5f1a2b3c"}),
        (bob, {"workerId": "A2MTURKBOB"}),
        (carol, {"pid": "carol-7"}),
    ):
        remember_external_id(rater=rater, params=params)
    assert rate_plan(alice, careful) == 15
    assert rate_plan(bob, gold_wrong) == 15
    assert rate_plan(carol, careful, limit=5) == 5
    call_command("simulate_raters", study.name, "--count", "2", "--seed", "1")
    for rater, began, ended in (
        (alice, at(10, 0), at(10, 12, 30)),
        (bob, at(11, 0), at(11, 8)),
        (carol, at(12, 0), None),
    ):
        Rater.objects.filter(pk=rater.pk).update(consented_at=began, finished_at=ended)
    code = Rater.objects.get(pk=alice.pk).completion_code

    out = tmp_path / "export"
    call_command("export_results", study.name, "--out", str(out))
    assert (out / "payments.csv").read_text() == (
        "rater,platform,external_id,completion_code,started,finished,minutes,items,accepted,"
        "reasons\n"
        f"1,prolific,5f1a2b3c,{code},2026-01-05T10:00:00Z,2026-01-05T10:12:30Z,12.5,15,True,\n"
        "2,mturk,A2MTURKBOB,SCREENED,2026-01-05T11:00:00Z,2026-01-05T11:08:00Z,8.0,15,False,"
        "gold\n"
        "3,pid,carol-7,,2026-01-05T12:00:00Z,,,5,False,unfinished\n"
    )
    assert len(code) == 10

    # raters.csv carries the id, the code and the acceptance too (simulated raters included).
    raters = pd.read_csv(out / "raters.csv", dtype=str, keep_default_na=False).set_index("rater")
    assert raters.loc["2", ["external_id", "completion_code", "gold_ok", "accepted"]].tolist() == [
        "A2MTURKBOB",
        "SCREENED",
        "False",
        "False",
    ]
    assert raters.loc["2", "rejected_for"] == "gold"
    assert raters.loc["1", ["gold_ok", "attention_ok", "accepted"]].tolist() == ["True"] * 3
    assert raters.loc["3", ["accepted", "rejected_for"]].tolist() == ["False", ""]
    assert raters.loc[["4", "5"], "accepted"].tolist() == ["True", "True"]
