"""The break page gives the time a rater may continue in the rater's own clock."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from study.rating.selectors import item_token
from study.rating.services import submit
from tests.study.rating.conftest import through_calibration
from tests.study.rating.factories import make_study

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_the_end_of_the_break_in_the_browsers_time_zone(live_server, browser):
    study = make_study(items_per_sitting=2, break_minutes=7, calibration_images=1)
    rater = through_calibration(study.raters[0])
    for _ in range(2):
        submit(token=rater.token, item=item_token(rater=rater, position=rater.position), score="3")
        rater.refresh_from_db()
    assert rater.break_until is not None
    # Half an hour off UTC, so a page that only shifted whole hours would be caught.
    context = browser.new_context(timezone_id="Asia/Kolkata", locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/r/{rater.token}/")
        expected = rater.break_until.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M")
        page.wait_for_function(
            "expected => document.getElementById('break-until').textContent === expected",
            arg=expected,
        )
        assert page.text_content("#rated") == "2"
        assert page.text_content("#rating-total") == "10"
    finally:
        context.close()
