"""``/`` is a page, not a 404: staff go on to the dashboard, anyone else reads a neutral note.

Every page names the site's icon, and ``/favicon.ico`` (what browsers ask for on pages
without the link, such as the admin's) leads to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.test import Client

from tests.study.rating.factories import make_study

pytestmark = pytest.mark.django_db


def test_it_shows_visitors_a_neutral_page_that_names_no_study():
    small = make_study(name="secret-study")
    response = Client().get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 id="home-title">Image quality study</h1>' in page
    assert "open the personal link you received" in page
    assert small.study.name not in page
    assert small.study.title not in page

    rater = get_user_model().objects.create_user("someone", password="x-long-password")
    client = Client()
    client.force_login(rater)
    assert client.get("/").status_code == 200


def test_it_sends_staff_to_the_dashboard():
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.post("/").status_code == 405


def test_it_names_the_icon_on_every_page():
    page = Client().get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    found = finders.find("favicon.svg")
    assert found is not None
    assert Path(found).read_text().startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
