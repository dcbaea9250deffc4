"""The study page's refresh: live.json carries the re-rendered analysis panels only when
the number of ratings changed since what the page shows (``?since=N``)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.study.analysis.helpers import by_method, paper_study, rate

pytestmark = pytest.mark.django_db

SCORES = {"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}


def test_it_sends_panels_after_new_ratings_only():
    small = paper_study(images=2, raters=2)
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    url = f"/dashboard/studies/{small.study.pk}/live.json"
    page = client.get(f"/dashboard/studies/{small.study.pk}/").content.decode()
    assert 'data-ratings="0"' in page
    assert '<p id="mos-empty">No ratings yet.</p>' in page
    assert "panels" not in client.get(f"{url}?since=0").json()

    rate(small.raters[0], by_method(SCORES), limit=3)
    live = client.get(f"{url}?since=0").json()
    assert live["ratings"] == 3
    assert '<table class="data paper" id="mos-1">' in live["panels"]
    assert f"/dashboard/studies/{small.study.pk}/figure5.png?v=3" in live["panels"]
    assert "panels" not in client.get(f"{url}?since=3").json()
    assert "panels" not in client.get(url).json()  # without since: the numbers only
