"""The dashboard's pages pass axe-core with no serious or critical violation: the study
list with its upload form, and a study page with every panel filled (tables, the
Wilcoxon matrix with its coloured cells, the per-image MOS opened, the figure)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from study.analysis.services import simulate_raters
from tests.browser.axe import blocking_violations, require_axe
from tests.study.analysis.helpers import by_method, paper_study, rate

pytestmark = pytest.mark.django_db(transaction=True)

QUALITY = {"nearest": 1.4, "bicubic": 2.6, "srgan-vgg54": 3.6, "hr": 4.4}


def test_it_finds_no_serious_violation_on_the_dashboard(live_server, browser):
    require_axe()
    small = paper_study(images=3, raters=2)
    rate(small.raters[0], by_method({"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}))
    rate(small.raters[1], lambda *_: 3)  # screened: the legend is shown
    simulate_raters(study=small.study, count=8, seed=2, quality=QUALITY, noise_sd=0.5)
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    found: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/dashboard/")
        page.wait_for_selector("#create-study")
        found["index"] = blocking_violations(page)
        page.goto(f"{live_server.url}/dashboard/studies/{small.study.pk}/?poll=300")
        page.wait_for_selector("#wilcoxon-1 td.sig")
        page.wait_for_function("() => document.getElementById('figure5').complete")
        page.click("details.per-image summary")
        assert page.is_visible("#per-image-1")
        assert page.is_visible("#screening-legend dl")
        found["study"] = blocking_violations(page)
        page.goto(f"{live_server.url}/")  # staff: on to the dashboard
        assert page.url == f"{live_server.url}/dashboard/"
    finally:
        context.close()
    assert {name: problems for name, problems in found.items() if problems} == {}
