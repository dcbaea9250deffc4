"""The export shows the server's response times and flags raters faster than the study's floor.

``ratings.csv`` has ``server_ms`` (served to submitted, by the server's clock) beside
the browser's ``response_ms``; ``raters.csv`` flags ``too_fast`` a rater whose median
``server_ms`` is below ``[session] min_response_ms`` (default 500).
"""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.management import call_command

from study.analysis.selectors import min_response_ms
from study.protocol.config import parse_config
from study.rating.models import Rating
from tests.study.analysis.helpers import by_method, paper_study, rate

pytestmark = pytest.mark.django_db

SCORES = {"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}


def timed_study():
    """Three raters who all claim 1,500 ms: the server saw 200 ms, 2,000 ms, and nothing."""
    small = paper_study(images=3, raters=3)
    for rater, server_ms in zip(small.raters, (200, 2000, None), strict=True):
        rate(rater, by_method(SCORES))
        Rating.objects.filter(plan_item__rater=rater).update(server_ms=server_ms)
    return small


def export(small, out):
    call_command("export_results", small.study.name, "--out", str(out))
    ratings = pd.read_csv(out / "ratings.csv", dtype={"rater": str})
    raters = pd.read_csv(out / "raters.csv", dtype={"rater": str}).set_index("rater")
    return ratings, raters


def test_it_exports_server_times_and_flags_the_too_fast_rater(tmp_path):
    small = timed_study()
    ratings, raters = export(small, tmp_path / "default")

    columns = list(ratings.columns)
    assert columns[columns.index("response_ms") + 1] == "server_ms"
    assert ratings["response_ms"].eq(1500).all()
    by_rater = ratings.dropna(subset="server_ms").groupby("rater")["server_ms"]
    assert by_rater.unique().map(list).to_dict() == {"1": [200], "2": [2000]}
    assert ratings.loc[ratings["rater"] == "3", "server_ms"].isna().all()
    assert raters["median_server_ms"].to_dict()["1"] == 200
    assert raters["too_fast"].to_dict() == {"1": True, "2": False, "3": False}
    assert "too_fast" in raters.at["1", "reasons"].split(";")
    assert raters.at["1", "flagged"]


def test_the_floor_comes_from_the_studys_session_table(tmp_path):
    small = timed_study()
    config = parse_config("raters = 1\n[[arms]]\ndataset = 'x'\nmethods = ['hr']\n")
    assert config.session.min_response_ms == 500
    stored = config.to_dict()
    stored["session"]["min_response_ms"] = 150
    small.study.config = stored
    small.study.save(update_fields=["config"])
    assert min_response_ms(study=small.study) == 150

    _, raters = export(small, tmp_path / "floor-150")

    assert not raters["too_fast"].any()
