from __future__ import annotations

from django.test import Client

from study.protocol.models import PlanItem, Rater
from study.rating.models import Rating
from study.rating.selectors import item_token
from tests.study.rating.factories import make_study


def test_it_walks_a_rater_from_consent_to_completion_code(client, db):
    study = make_study(
        completion_redirect_url="https://app.prolific.com/submissions/complete?cc={code}"
    )
    rater = study.raters[0]
    home = f"/r/{rater.token}/"

    page = client.get(home + "?PROLIFIC_PID=5f3a9c")
    assert b"agree to take part" in page.content
    rater.refresh_from_db()
    assert (rater.external_id, rater.external_source) == ("5f3a9c", "prolific")

    # Consent needs the box ticked.
    assert client.post(home + "consent", {}).status_code == 400
    assert client.post(home + "consent", {"agree": "yes"}).status_code == 302
    assert b"Before you start" in client.get(home).content
    assert client.post(home + "start").status_code == 302

    page = client.get(home)
    assert b"Example of score 1 (Bad)" in page.content
    rater.refresh_from_db()
    total = rater.plan.count()
    while rater.position < total:
        item = rater.plan.get(position=rater.position)
        data = {"item": item_token(rater=rater, position=rater.position)}
        if item.phase == PlanItem.Phase.RATING:
            data["score"] = "4"
        # The form post without JavaScript: the server redirects back to the page.
        assert client.post(home + "submit", data).status_code == 302
        rater.refresh_from_db()

    assert (
        Rating.objects.filter(plan_item__rater=rater).count()
        == rater.plan.filter(phase="rating").count()
    )
    done = client.get(home)
    assert rater.finished_at is not None
    assert len(rater.completion_code) == 10
    assert rater.completion_code.encode() in done.content
    assert (
        b"https://app.prolific.com/submissions/complete?cc=" + rater.completion_code.encode()
        in done.content
    )


def test_it_keeps_the_first_external_id(client, small_study):
    rater = small_study.raters[0]
    client.get(f"/r/{rater.token}/?workerId=A1B2")
    client.get(f"/r/{rater.token}/?pid=other")
    rater.refresh_from_db()
    assert (rater.external_id, rater.external_source) == ("A1B2", "mturk")


def test_it_resumes_at_the_same_item_after_leaving(rating_rater):
    client = Client()
    home = f"/r/{rating_rater.token}/"
    item = item_token(rater=rating_rater, position=rating_rater.position)
    client.post(home + "submit", {"item": item, "score": "2"})
    expected = item_token(rater=rating_rater, position=rating_rater.position + 1)
    # A new browser (no cookies) with the same link lands on the next unrated item.
    assert f'value="{expected}"'.encode() in Client().get(home).content


def test_it_returns_404_for_an_unknown_link(client, db):
    assert client.get("/r/unknown-token/").status_code == 404


def test_it_says_a_draft_study_has_not_started(client, db):
    study = make_study(state="draft")
    page = client.get(f"/r/{study.raters[0].token}/")
    assert b"has not started yet" in page.content


def test_it_counts_raters_unaffected_by_others(client, small_study):
    first, second = small_study.raters
    assert Rater.objects.filter(study=small_study.study).count() == 2
    client.post(f"/r/{first.token}/consent", {"agree": "yes"})
    second.refresh_from_db()
    assert second.consented_at is None
