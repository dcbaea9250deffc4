"""The study's ratings as the long table of ``stats``: right rows, names, types, one query."""

from __future__ import annotations

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from study.analysis.selectors import RATING_COLUMNS, ratings_frame
from study.protocol.models import Rater
from study.rating.models import Rating
from tests.study.analysis.helpers import by_method, paper_study, rate

pytestmark = pytest.mark.django_db


def test_it_returns_every_rating_with_names_and_flags():
    small = paper_study(images=2, raters=3)
    first, second, _idle = small.raters
    rate(first, by_method({"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}))
    rate(second, by_method({"nearest": 2, "bicubic": 2, "srgan-vgg54": 3, "hr": 4}), limit=3)
    Rater.objects.filter(pk=second.pk).update(simulated=True)

    frame = ratings_frame(study=small.study)

    assert list(frame.columns) == RATING_COLUMNS
    # 2 images x 4 methods + 1 retest repeat for the first rater, 3 for the second.
    assert len(frame) == 9 + 3 == Rating.objects.count()
    assert set(frame["rater"]) == {"1", "2"}
    assert frame.loc[frame["rater"] == "1", "simulated"].eq(False).all()
    assert frame.loc[frame["rater"] == "2", "simulated"].eq(True).all()
    mine = frame[frame["rater"] == "1"]
    assert dict(zip(mine["method"], mine["score"], strict=False)) == {
        "nearest": 1,
        "bicubic": 2,
        "srgan-vgg54": 4,
        "hr": 5,
    }
    assert mine["repeat"].sum() == 1
    assert (mine["position"].diff().dropna() > 0).all()  # plan order within a rater
    assert mine["position"].min() == 2  # after the two calibration items
    assert set(frame["dataset"]) == {"paper-set"}
    assert frame["response_ms"].eq(1500).all()
    assert str(frame["submitted_at"].dt.tz) == "UTC"
    assert frame["score"].dtype == "int64"
    db = Rating.objects.filter(plan_item__rater=first).order_by("plan_item__position")
    assert list(mine["submitted_at"]) == [pd.Timestamp(r.submitted_at) for r in db]


def test_it_reads_ratings_in_one_query_plus_two_lookups():
    small = paper_study(images=2, raters=2)
    for rater in small.raters:
        rate(rater, by_method({"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}))
    with CaptureQueriesContext(connection) as queries:
        frame = ratings_frame(study=small.study)
    assert len(frame) == 18
    # The ratings, the raters and the stimuli: never a query per row.
    assert len(queries.captured_queries) == 3


def test_it_returns_an_empty_table_without_ratings():
    small = paper_study()
    frame = ratings_frame(study=small.study)
    assert frame.empty
    assert list(frame.columns) == RATING_COLUMNS
