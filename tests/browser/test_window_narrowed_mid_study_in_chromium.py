"""Narrowing the window mid-study pauses rating until the whole image fits at its true size.

A rater who resumes in a 390-px window would rate a 480-px image whose left part can
never be seen: the page checks the window on every item, not only before the start.
"""

from __future__ import annotations

import pytest

from study.rating.models import Rating
from tests.browser.test_rating_in_chromium import start_rating, wait_for_item
from tests.study.rating.factories import make_study

pytestmark = pytest.mark.django_db(transaction=True)


def test_narrowing_the_window_pauses_rating_until_the_image_fits(live_server, page):
    small = make_study(images=2, calibration_images=0, size=(480, 320))
    rater = small.raters[0]
    start_rating(page, f"{live_server.url}/r/{rater.token}/")
    token = wait_for_item(page)
    page.keyboard.press("4")
    token = wait_for_item(page, token)

    page.set_viewport_size({"width": 420, "height": 1000})  # 388 px for a 480-px image
    page.wait_for_selector("#fit-notice:has-text('too small')")
    assert page.evaluate("document.getElementById('stimulus').classList.contains('loading')")
    assert page.is_disabled("#score-controls button[value='5']")
    page.keyboard.press("5")
    page.wait_for_timeout(1200)
    assert Rating.objects.count() == 1  # nothing stored while paused

    page.set_viewport_size({"width": 1400, "height": 1000})
    assert wait_for_item(page) == token
    assert page.is_hidden("#fit-notice")
    page.keyboard.press("2")
    wait_for_item(page, token)
    second = Rating.objects.order_by("plan_item__position").last()
    assert second.score == 2
    assert second.response_ms < 1200  # the clock stopped during the pause
