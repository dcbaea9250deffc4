"""The study page summarises the test-retest block: first and second MOS, agreement, test."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.study.analysis.helpers import paper_study, rate

pytestmark = pytest.mark.django_db

SCORES = {"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}


def test_it_shows_how_raters_agreed_with_themselves():
    small = paper_study(images=3, raters=3)
    # The retest item is NN on img_001: raters 1 and 2 repeat their score, rater 3 says
    # 1 then 3.
    rate(small.raters[0], lambda d, i, m, repeat: SCORES[m])
    rate(small.raters[1], lambda d, i, m, repeat: SCORES[m])
    rate(small.raters[2], lambda d, i, m, repeat: 3 if repeat else SCORES[m])
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    page = client.get(f"/dashboard/studies/{small.study.pk}/").content.decode()
    table = re.search(r'<table class="data" id="retest">(.*?)</table>', page, re.S)
    assert table
    body = re.findall(r"<td>(.*?)</td>", table.group(1))
    # 3 pairs, first 1,1,1, second 1,1,3: 2 of 3 identical, mean |diff| 2/3; one nonzero
    # difference, so the signed-rank test has p = 1 (exact, n = 1 after dropping zeros).
    assert body == [
        "paper-set",
        "NN",
        "3",
        "1.00",
        "1.67",
        "67 %",
        "0.67",
        "–",
        "1.000",
        "no significant change",
    ]
