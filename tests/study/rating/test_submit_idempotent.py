from __future__ import annotations

from study.rating.models import Rating
from study.rating.selectors import item_token


def test_it_stores_one_rating_and_returns_the_same_next_item_for_a_repeated_post(
    client, rating_rater
):
    item = item_token(rater=rating_rater, position=rating_rater.position)
    first = client.post(
        f"/r/{rating_rater.token}/submit",
        {"item": item, "score": "5", "response_ms": "812"},
        HTTP_ACCEPT="application/json",
    )
    again = client.post(
        f"/r/{rating_rater.token}/submit",
        {"item": item, "score": "2", "response_ms": "900"},
        HTTP_ACCEPT="application/json",
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["stored"] is True
    assert again.json()["stored"] is False
    assert first.json()["item"] == again.json()["item"]
    rating = Rating.objects.get()
    assert (rating.score, rating.response_ms) == (5, 812)


def test_it_answers_a_retried_last_item_with_done(client, rating_rater):
    total = rating_rater.plan.count()
    last = None
    while rating_rater.position < total:
        last = item_token(rater=rating_rater, position=rating_rater.position)
        client.post(
            f"/r/{rating_rater.token}/submit",
            {"item": last, "score": "3"},
            HTTP_ACCEPT="application/json",
        )
        rating_rater.refresh_from_db()
    count = Rating.objects.count()
    retry = client.post(
        f"/r/{rating_rater.token}/submit",
        {"item": last, "score": "3"},
        HTTP_ACCEPT="application/json",
    )
    assert retry.status_code == 200
    assert retry.json()["stage"] == "done"
    assert Rating.objects.count() == count
