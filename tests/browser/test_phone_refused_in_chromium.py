"""A touch-only phone (coarse pointer, no fine one, small viewport, DPR 3) is refused.

The pages say "use a computer"; at devicePixelRatio 3 a phone has the device pixels
to pass the size check, so the pointer tells: the instructions page keeps its start
button off, and the rating and comparison pages pause with a message.
"""

from __future__ import annotations

import pytest

from study.pairwise.models import Choice
from study.rating import services
from study.rating.models import Rating
from tests.study.pairwise.factories import make_catalog, make_two_image_study
from tests.study.rating.factories import make_study

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def test_a_touch_only_phone_is_refused(live_server, browser):
    small = make_study(images=2, calibration_images=0, size=(120, 80), raters=2)
    phone = browser.new_context(**PHONE)
    try:
        page = phone.new_page()
        newcomer, resumer = small.raters
        # The instructions page: the start button stays off.
        page.goto(f"{live_server.url}/r/{newcomer.token}/")
        page.check("input[name=agree]")
        page.click("button:has-text('Continue')")
        page.wait_for_selector("#viewing-check:has-text('phone or tablet')")
        assert page.is_disabled("#start-button")
        # A rater who started on a computer and opens the link on the phone: paused.
        services.give_consent(rater=resumer)
        services.start_rating(rater=resumer)
        page.goto(f"{live_server.url}/r/{resumer.token}/")
        page.wait_for_selector("#fit-notice:has-text('phone or tablet')")
        page.wait_for_timeout(500)
        assert page.is_disabled("#score-controls button[value='3']")
        assert page.evaluate("document.getElementById('stimulus').classList.contains('loading')")
        page.keyboard.press("3")
        page.wait_for_timeout(500)
        assert not Rating.objects.exists()
    finally:
        phone.close()


def test_a_touch_only_phone_is_refused_on_the_comparison_page(live_server, browser):
    make_catalog(images=1)
    rater = make_two_image_study(raters=1).raters.get()
    services.give_consent(rater=rater)
    services.start_rating(rater=rater)
    phone = browser.new_context(**PHONE)
    try:
        page = phone.new_page()
        page.goto(f"{live_server.url}/c/{rater.token}/")
        page.wait_for_selector("#fit-notice:has-text('phone or tablet')")
        assert page.is_disabled("#left-button")
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(500)
        assert not Choice.objects.exists()
    finally:
        phone.close()
