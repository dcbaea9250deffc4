from __future__ import annotations

import pytest
from django.test import Client

from study.protocol.models import Study
from study.rating.models import Rating
from study.rating.selectors import item_token


def post(client: Client, token: str, **data: str):
    return client.post(f"/r/{token}/submit", data, HTTP_ACCEPT="application/json")


def test_it_accepts_the_current_item(client, rating_rater):
    response = post(
        client,
        rating_rater.token,
        item=item_token(rater=rating_rater, position=rating_rater.position),
        score="4",
    )
    assert response.status_code == 200
    assert Rating.objects.get().score == 4


@pytest.mark.parametrize("score", ["0", "6", "3.5", "five", "", " 3", "-1", "4\n"])
def test_it_rejects_a_score_outside_1_to_5(client, rating_rater, score):
    item = item_token(rater=rating_rater, position=rating_rater.position)
    response = post(client, rating_rater.token, item=item, score=score)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_score"
    assert Rating.objects.count() == 0


def test_it_rejects_a_missing_score(client, rating_rater):
    item = item_token(rater=rating_rater, position=rating_rater.position)
    response = post(client, rating_rater.token, item=item)
    assert response.status_code == 400
    assert Rating.objects.count() == 0


def test_it_rejects_an_unknown_token(client, rating_rater):
    item = item_token(rater=rating_rater, position=rating_rater.position)
    response = post(client, "not-a-real-token", item=item, score="3")
    assert response.status_code == 404
    assert Rating.objects.count() == 0


def test_it_rejects_another_raters_item(client, small_study, rating_rater):
    other = small_study.raters[1]
    response = post(
        client,
        rating_rater.token,
        item=item_token(rater=other, position=rating_rater.position),
        score="3",
    )
    assert response.status_code == 409
    assert response.json()["error"] == "not_current"
    assert Rating.objects.count() == 0


def test_it_rejects_an_item_out_of_order(client, rating_rater):
    ahead = item_token(rater=rating_rater, position=rating_rater.position + 1)
    response = post(client, rating_rater.token, item=ahead, score="3")
    assert response.status_code == 409
    assert Rating.objects.count() == 0


def test_it_rejects_a_forged_item(client, rating_rater):
    response = post(client, rating_rater.token, item="0" * 32, score="3")
    assert response.status_code == 409
    assert Rating.objects.count() == 0


def test_it_rejects_a_post_without_csrf_token(rating_rater):
    client = Client(enforce_csrf_checks=True)
    item = item_token(rater=rating_rater, position=rating_rater.position)
    response = post(client, rating_rater.token, item=item, score="3")
    assert response.status_code == 403
    assert Rating.objects.count() == 0


def test_it_rejects_ratings_for_a_closed_study(client, rating_rater):
    Study.objects.filter(pk=rating_rater.study_id).update(state=Study.State.CLOSED)
    item = item_token(rater=rating_rater, position=rating_rater.position)
    response = post(client, rating_rater.token, item=item, score="3")
    assert response.status_code == 409
    assert response.json()["error"] == "study_closed"
    assert Rating.objects.count() == 0


def test_it_rejects_ratings_from_a_finished_rater(client, rating_rater):
    total = rating_rater.plan.count()
    while rating_rater.position < total:
        post(
            client,
            rating_rater.token,
            item=item_token(rater=rating_rater, position=rating_rater.position),
            score="3",
        )
        rating_rater.refresh_from_db()
    assert rating_rater.finished_at is not None
    stored = Rating.objects.count()
    # Any item other than the last one just stored is refused.
    response = post(
        client, rating_rater.token, item=item_token(rater=rating_rater, position=total), score="3"
    )
    assert response.status_code == 409
    assert response.json()["error"] == "finished"
    response = post(
        client, rating_rater.token, item=item_token(rater=rating_rater, position=3), score="3"
    )
    assert response.status_code == 409
    assert Rating.objects.count() == stored


def test_it_rejects_ratings_before_consent(client, small_study):
    rater = small_study.raters[1]
    response = post(client, rater.token, item=item_token(rater=rater, position=0), score="3")
    assert response.status_code == 409
    assert Rating.objects.count() == 0


def test_it_rejects_get_on_the_submit_url(client, rating_rater):
    assert client.get(f"/r/{rating_rater.token}/submit").status_code == 405
