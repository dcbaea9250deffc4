"""Every page a rater sees passes axe-core with no serious or critical violation:
consent, instructions, calibration, rating, break and done (with its completion
redirect, which a timed <meta> refresh would fail)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from study.protocol.models import Rater, Study
from tests.browser.axe import blocking_violations, require_axe
from tests.study.rating.factories import make_study

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_item(page, previous: str | None = None) -> str:
    page.wait_for_function(
        """previous => {
            const img = document.getElementById('stimulus');
            const item = document.querySelector('input[name=item]');
            return img && item && item.value !== previous && img.complete &&
                   img.naturalWidth > 0 && !img.classList.contains('loading') &&
                   !document.querySelector('#rate-form button').disabled;
        }""",
        arg=previous,
    )
    return page.input_value("input[name=item]")


def test_it_finds_no_serious_violation_on_any_rater_page(live_server, browser):
    require_axe()
    # 1 calibration image (2 examples), 3 x 3 rating items and a retest repeat; a break
    # after 3 ratings.
    study = make_study(
        images=3,
        calibration_images=1,
        size=(120, 80),
        items_per_sitting=3,
        break_minutes=5,
        completion_redirect_url=f"{live_server.url}/?cc={{code}}",
    )
    rater = study.raters[0]
    context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    found: dict[str, list[str]] = {}
    try:
        page.goto(f"{live_server.url}/r/{rater.token}/")
        page.wait_for_selector("input[name=agree]")
        found["consent"] = blocking_violations(page)
        page.check("input[name=agree]")
        page.click("button:has-text('Continue')")
        page.wait_for_selector("#viewing-check:has-text('large enough')")
        found["instructions"] = blocking_violations(page)
        page.click("#start-button")

        token = wait_for_item(page)
        assert page.is_visible("#anchor")
        found["calibration"] = blocking_violations(page)
        for _ in range(2):
            page.keyboard.press("Enter")
            token = wait_for_item(page, token)
        assert page.is_visible("#score-controls")
        found["rating"] = blocking_violations(page)

        for index in range(3):
            page.keyboard.press("3")
            if index < 2:
                token = wait_for_item(page, token)
        page.wait_for_selector("#break-title")
        found["break"] = blocking_violations(page)

        Rater.objects.filter(pk=rater.pk).update(break_until=timezone.now() - timedelta(seconds=1))
        Study.objects.filter(pk=study.study.pk).update(items_per_sitting=None)
        page.goto(f"{live_server.url}/r/{rater.token}/")
        token = wait_for_item(page)
        remaining = rater.plan.count() - Rater.objects.get(pk=rater.pk).position
        assert remaining == 7
        for index in range(remaining):
            page.keyboard.press("4")
            if index < remaining - 1:
                token = wait_for_item(page, token)
        page.wait_for_selector("#completion-code")
        found["done"] = blocking_violations(page)
        # The way back to the crowdsourcing site is a script, not a timed <meta> refresh.
        code = Rater.objects.get(pk=rater.pk).completion_code
        page.wait_for_url(f"{live_server.url}/?cc={code}", timeout=15_000)
    finally:
        context.close()
    assert list(found) == ["consent", "instructions", "calibration", "rating", "break", "done"]
    assert {stage: problems for stage, problems in found.items() if problems} == {}
