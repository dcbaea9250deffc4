"""``response_ms`` is ASCII digits or nothing: "٣٣" (Arabic-Indic 33) is refused, not stored."""

from __future__ import annotations

import pytest

from study.rating import services
from study.rating.models import Rating
from study.rating.selectors import item_token
from study.rating.services import MAX_RESPONSE_MS, SubmissionRejected, parse_response_ms

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", ["٣٣", "３３", "²", "12٣", " 33", "33 ", "-1", "1.5", "1e3"])
def test_it_refuses_anything_but_ascii_digits(raw):
    with pytest.raises(SubmissionRejected) as refused:
        parse_response_ms(raw)
    assert (refused.value.status, refused.value.code) == (400, "invalid_response_ms")


def test_it_reads_ascii_digits_and_caps_them_at_a_day():
    assert parse_response_ms("") is None
    assert parse_response_ms("0") == 0
    assert parse_response_ms("0001500") == 1500
    assert parse_response_ms(str(MAX_RESPONSE_MS + 1)) == MAX_RESPONSE_MS
    assert parse_response_ms("9" * 5000) == MAX_RESPONSE_MS  # not a ValueError from int()


def test_the_submit_page_refuses_arabic_indic_digits_and_stores_nothing(client, rating_rater):
    token = item_token(rater=rating_rater, position=rating_rater.position)
    response = client.post(
        f"/r/{rating_rater.token}/submit",
        {"item": token, "score": "4", "response_ms": "٣٣"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_response_ms"
    assert Rating.objects.count() == 0
    services.submit(token=rating_rater.token, item=token, score="4", response_ms="33")
    assert list(Rating.objects.values_list("response_ms", flat=True)) == [33]
