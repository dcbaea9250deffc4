"""A rater's choice is stored once per trial: double presses and retries store nothing more."""

from __future__ import annotations

import pytest

from study.pairwise import services
from study.pairwise.models import Choice, Trial
from study.rating import services as rater_services
from study.rating.selectors import item_token
from tests.study.pairwise.factories import make_catalog, make_two_image_study


def _started(rater):
    rater_services.give_consent(rater=rater)
    rater_services.start_rating(rater=rater)
    rater.refresh_from_db()
    return rater


def _choose(client, rater, side, position=None):
    token = item_token(rater=rater, position=rater.position if position is None else position)
    return client.post(
        f"/c/{rater.token}/choose",
        {"item": token, "side": side, "response_ms": "900"},
        HTTP_ACCEPT="application/json",
    )


@pytest.mark.django_db
def test_it_stores_one_choice_for_a_double_press(client):
    make_catalog(images=2)
    study = make_two_image_study(raters=1)
    rater = _started(study.raters.get())
    first = _choose(client, rater, "left", position=0)
    again = _choose(client, rater, "left", position=0)
    assert first.status_code == 200
    assert first.json()["stored"] is True
    assert again.status_code == 200
    assert again.json()["stored"] is False
    assert Choice.objects.count() == 1
    choice = Choice.objects.get()
    assert choice.trial.position == 0
    assert choice.chose_left is True
    assert choice.response_ms == 900


@pytest.mark.django_db
def test_it_refuses_a_side_that_is_not_left_or_right(client):
    make_catalog(images=2)
    rater = _started(make_two_image_study(raters=1).raters.get())
    response = _choose(client, rater, "middle")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_side"
    assert not Choice.objects.exists()


@pytest.mark.django_db
def test_it_finishes_with_a_completion_code(client):
    make_catalog(images=1)
    study = make_two_image_study(raters=1)
    rater = _started(study.raters.get())
    for position in range(3):
        assert _choose(client, rater, "right", position=position).status_code == 200
    rater.refresh_from_db()
    assert rater.finished_at is not None
    assert len(rater.completion_code) == 10
    page = client.get(f"/c/{rater.token}/")
    assert rater.completion_code in page.content.decode()


@pytest.mark.django_db
def test_it_draws_active_trials_one_at_a_time(client):
    make_catalog(images=3)
    study = make_two_image_study(raters=2, design="active", per_rater=4)
    assert not Trial.objects.exists()
    first, second = (_started(r) for r in study.raters.order_by("number"))
    page = client.get(f"/c/{first.token}/")
    assert page.status_code == 200
    assert Trial.objects.filter(rater=first).count() == 1
    for position in range(4):
        first.refresh_from_db()
        if position:
            assert Trial.objects.filter(rater=first, position=position).exists()
        assert _choose(client, first, "left", position=position).json()["stored"] is True
    first.refresh_from_db()
    assert first.finished_at is not None
    assert Trial.objects.filter(rater=first).count() == 4
    assert Choice.objects.filter(trial__rater=first).count() == 4
    # Another rater's trial is drawn from the first one's answers.
    assert services.current_trial(rater=second) is not None


@pytest.mark.django_db
def test_it_serves_an_acr_link_no_page_here(client):
    make_catalog(images=2)
    study = make_two_image_study(raters=1)
    assert client.get(f"/c/{study.raters.get().token}/").status_code == 200
    assert client.get("/c/not-a-token/").status_code == 404
