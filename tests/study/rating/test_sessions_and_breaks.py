from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from study.protocol.models import Rater
from study.rating.models import Rating
from study.rating.selectors import item_token
from tests.study.rating.conftest import through_calibration
from tests.study.rating.factories import make_study


def rate(client, rater, score="3"):
    item = item_token(rater=rater, position=rater.position)
    response = client.post(
        f"/r/{rater.token}/submit", {"item": item, "score": score}, HTTP_ACCEPT="application/json"
    )
    rater.refresh_from_db()
    return response


def test_it_enforces_a_break_after_the_sitting_limit(client, db):
    study = make_study(items_per_sitting=3, break_minutes=5)
    rater = through_calibration(study.raters[0])
    for _ in range(3):
        assert rate(client, rater).status_code == 200
    assert rater.break_until is not None
    assert b"Time for a break" in client.get(f"/r/{rater.token}/").content
    refused = rate(client, rater)
    assert refused.status_code == 409
    assert refused.json()["error"] == "on_break"
    assert Rating.objects.count() == 3

    # After the break the next sitting starts where the rater stopped.
    Rater.objects.filter(pk=rater.pk).update(break_until=timezone.now() - timedelta(seconds=1))
    rater.refresh_from_db()
    assert rate(client, rater).status_code == 200
    assert Rating.objects.count() == 4


def test_it_does_not_count_calibration_against_the_sitting(client, db):
    study = make_study(items_per_sitting=2, calibration_images=3)
    rater = through_calibration(study.raters[0])
    assert rater.break_until is None
    rate(client, rater)
    assert rater.break_until is None
    rate(client, rater)
    assert rater.break_until is not None
