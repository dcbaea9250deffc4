"""A choice is timed by the server (trial served to choice made) and keeps ASCII digits only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from study.pairwise.models import Choice, Trial
from study.rating import services as rater_services
from study.rating.selectors import item_token
from tests.study.pairwise.factories import make_catalog, make_two_image_study

pytestmark = pytest.mark.django_db


def started():
    make_catalog(images=1)
    rater = make_two_image_study(raters=1).raters.get()
    rater_services.give_consent(rater=rater)
    rater_services.start_rating(rater=rater)
    rater.refresh_from_db()
    return rater


def choose(client, rater, position, response_ms):
    token = item_token(rater=rater, position=position)
    return client.post(
        f"/c/{rater.token}/choose",
        {"item": token, "side": "left", "response_ms": response_ms},
        HTTP_ACCEPT="application/json",
    )


def test_it_times_a_choice_from_the_page_that_showed_the_trial(client):
    rater = started()
    client.get(f"/c/{rater.token}/")
    first = Trial.objects.get(rater=rater, position=0)
    served = first.served_at
    assert served is not None
    client.get(f"/c/{rater.token}/")  # a reload keeps the first time
    first.refresh_from_db()
    assert first.served_at == served
    Trial.objects.filter(pk=first.pk).update(served_at=served - timedelta(seconds=3))

    assert choose(client, rater, 0, "1500").status_code == 200

    choice = Choice.objects.get(trial=first)
    assert choice.response_ms == 1500
    assert 3000 <= choice.server_ms < 5000
    # The JSON answer showed the next trial: served then.
    assert Trial.objects.get(rater=rater, position=1).served_at >= choice.submitted_at


def test_it_refuses_response_ms_in_other_scripts(client):
    rater = started()
    response = choose(client, rater, 0, "٣٣")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_response_ms"
    assert not Choice.objects.exists()
