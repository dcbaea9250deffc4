"""The server times each item, served to submitted: a script cannot claim a slow rater's times.

A scripted rater finished 26 items in 0.22 s of server time while claiming 1,500 ms
each in ``response_ms``. The server now notes when a page or JSON answer first shows
an item (``PlanItem.served_at``, set once) and stores ``Rating.server_ms`` beside the
browser's figure.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from study.protocol.models import PlanItem, Rater
from study.rating.models import Rating
from tests.study.rating.conftest import through_calibration
from tests.study.rating.factories import make_study
from tests.study.rating.pages import page_payload, submit_json

pytestmark = pytest.mark.django_db


def test_it_times_an_item_from_first_served_to_submitted(client, rating_rater):
    rater = rating_rater
    payload = page_payload(client, rater)
    row = PlanItem.objects.get(rater=rater, position=rater.position)
    served = row.served_at
    assert served is not None
    page_payload(client, rater)  # a reload keeps the first time
    row.refresh_from_db()
    assert row.served_at == served
    # Two and a half seconds pass (moved back rather than slept).
    PlanItem.objects.filter(pk=row.pk).update(served_at=served - timedelta(seconds=2.5))

    answer = submit_json(client, rater, payload["item"], score="4", response_ms="1500")

    rating = Rating.objects.get(plan_item=row)
    assert rating.response_ms == 1500
    assert 2500 <= rating.server_ms < 4500
    # The JSON answer showed the next item: it was served at that moment.
    shown = PlanItem.objects.get(rater=rater, position=row.position + 1)
    assert answer["item"]["token"] != payload["item"]["token"]
    assert rating.submitted_at <= shown.served_at <= timezone.now()


def test_a_script_claiming_slow_answers_is_timed_as_it_went(client, rating_rater):
    rater = rating_rater
    payload = page_payload(client, rater)
    while payload["stage"] == "rating":
        payload = submit_json(client, rater, payload["item"], response_ms="1500")
    ratings = Rating.objects.filter(plan_item__rater=rater)
    assert ratings.count() == rater.plan.filter(phase="rating").count()
    assert set(ratings.values_list("response_ms", flat=True)) == {1500}
    assert max(ratings.values_list("server_ms", flat=True)) < 1000


def test_an_item_behind_a_break_is_served_when_the_break_is_over(client):
    rater = through_calibration(make_study(items_per_sitting=2, break_minutes=5).raters[0])
    payload = page_payload(client, rater)
    payload = submit_json(client, rater, payload["item"])
    payload = submit_json(client, rater, payload["item"])
    assert payload["stage"] == "break"
    rater.refresh_from_db()
    behind = PlanItem.objects.get(rater=rater, position=rater.position)
    assert behind.served_at is None  # not shown during the break
    Rater.objects.filter(pk=rater.pk).update(break_until=timezone.now() - timedelta(seconds=1))
    page_payload(client, rater)
    behind.refresh_from_db()
    assert behind.served_at is not None
