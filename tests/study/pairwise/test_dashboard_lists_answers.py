"""The dashboard's study list counts a two-image study's choices beside ACR ratings."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.study.pairwise.exporting import simulated_study

pytestmark = pytest.mark.django_db


def test_it_counts_the_choices_of_a_pairwise_study():
    study = simulated_study(count=2)  # 2 simulated raters x 6 trials
    client = Client()
    client.force_login(get_user_model().objects.create_user("lead", is_staff=True))
    page = client.get("/dashboard/").content.decode()
    row = re.search(rf">{study.name}</a></td>(.*?)</tr>", page, flags=re.S).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    # title, raters, started, finished, simulated, answers, created
    assert cells[1:6] == ["3", "2", "2", "2", "12"]
