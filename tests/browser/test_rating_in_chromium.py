from __future__ import annotations

import pytest

from study.protocol.models import Rater
from study.rating.models import Rating
from tests.study.rating.factories import make_study

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_item(page, previous: str | None = None) -> str:
    """Wait until the page shows a loaded item other than ``previous``; return its token."""
    page.wait_for_function(
        """previous => {
            const img = document.getElementById('stimulus');
            const item = document.querySelector('input[name=item]');
            return document.body.dataset.ready === '1' &&
                   img && item && item.value !== previous && img.complete &&
                   img.naturalWidth > 0 && !img.classList.contains('loading') &&
                   !document.querySelector('#rate-form button').disabled;
        }""",
        arg=previous,
    )
    return page.input_value("input[name=item]")


def start_rating(page, url: str) -> None:
    """Consent and start (the viewing check passed) with the mouse."""
    page.goto(url)
    page.check("input[name=agree]")
    page.click("button:has-text('Continue')")
    page.wait_for_selector("#viewing-check:has-text('large enough')")
    page.click("#start-button")


def test_it_takes_a_rater_through_the_study_with_the_keyboard(live_server, page, artifacts_dir):
    study = make_study(images=3, calibration_images=2, size=(120, 80))
    rater = study.raters[0]
    page.goto(f"{live_server.url}/r/{rater.token}/?PROLIFIC_PID=abc123")

    # Consent, with the keyboard only.
    page.keyboard.press("Tab")  # skip link
    page.focus("input[name=agree]")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Before you start")
    page.wait_for_selector("#viewing-check:has-text('large enough')")
    page.focus("#start-button")
    page.keyboard.press("Enter")

    # Calibration: NN shown as score 1, HR as score 5; Enter moves on.
    token = wait_for_item(page)
    assert page.text_content("#anchor").strip() == "Example of score 1 (Bad)"
    assert not page.is_visible("#score-controls")
    page.keyboard.press("ArrowRight")
    token = wait_for_item(page, token)
    assert page.text_content("#anchor").strip() == "Example of score 5 (Excellent)"
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        token = wait_for_item(page, token)
    assert page.is_visible("#score-controls")
    assert not page.is_visible("#next-controls")
    assert not page.is_visible("#anchor")

    # Ratings with keys 1-5; the stimulus is shown at its natural pixel size.
    page.keyboard.press("4")
    token = wait_for_item(page, token)
    sizes = page.evaluate(
        """() => { const img = document.getElementById('stimulus');
                   const box = img.getBoundingClientRect();
                   return [box.width, box.height, img.naturalWidth, img.naturalHeight,
                           getComputedStyle(img).imageRendering]; }"""
    )
    assert sizes[:2] == sizes[2:4] == [120, 80]
    assert sizes[4] == "auto"
    screenshot = artifacts_dir / "rating-page.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 1000

    # A reload in the middle resumes at the same item.
    page.reload()
    assert wait_for_item(page) == token

    # A double click stores one rating.
    before = Rating.objects.count()
    page.dblclick("#score-controls button[value='2']")
    token = wait_for_item(page, token)
    page.wait_for_timeout(300)
    assert Rating.objects.count() == before + 1

    # Finish with the keyboard.
    rater.refresh_from_db()
    remaining = rater.plan.count() - rater.position
    for index in range(remaining):
        page.keyboard.press(str(1 + index % 5))
        if index < remaining - 1:
            token = wait_for_item(page, token)
    page.wait_for_selector("#completion-code")
    rater = Rater.objects.get(pk=rater.pk)
    assert page.text_content("#completion-code").strip() == rater.completion_code
    assert rater.external_id == "abc123"
    assert (
        Rating.objects.filter(plan_item__rater=rater).count()
        == rater.plan.filter(phase="rating").count()
    )


def test_it_keeps_a_rating_made_while_the_connection_is_lost(live_server, page):
    study = make_study(images=2, calibration_images=0)
    rater = study.raters[0]
    home = f"{live_server.url}/r/{rater.token}/"
    page.goto(home)
    page.check("input[name=agree]")
    page.click("button:has-text('Continue')")
    page.click("#start-button")
    token = wait_for_item(page)

    page.context.set_offline(True)
    page.keyboard.press("5")
    page.wait_for_selector("#status:has-text('Connection problem')")
    assert Rating.objects.count() == 0
    page.context.set_offline(False)
    wait_for_item(page, token)
    assert list(Rating.objects.values_list("score", flat=True)) == [5]
