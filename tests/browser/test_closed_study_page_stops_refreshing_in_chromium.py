"""A closed study does not change: its dashboard page stops polling live.json."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from study.protocol import services
from study.protocol.models import Study
from tests.study.analysis.helpers import paper_study

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_stops_polling_once_the_study_is_closed(live_server, page):
    small = paper_study(images=2, raters=1)
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/live.json" in r.url else None)
    page.goto(f"{live_server.url}/dashboard/studies/{small.study.pk}/?poll=1")
    page.wait_for_function("() => document.getElementById('live-status').textContent"
                           ".startsWith('(updated')", timeout=10_000)  # fmt: skip
    assert polls

    services.close_study(study=Study.objects.get(pk=small.study.pk))
    page.wait_for_function(
        "() => document.getElementById('live-status').textContent"
        " === '(the study is closed: not refreshing)'",
        timeout=10_000,
    )
    assert page.text_content("#study-state") == "closed"
    seen = len(polls)
    page.wait_for_timeout(3000)
    assert len(polls) == seen

    # Opened closed, the page never polls.
    polls.clear()
    page.reload()
    page.wait_for_timeout(3000)
    assert polls == []
    assert page.text_content("#live-status") == "(the study is closed: not refreshing)"
