"""The dashboard adds places and hands out the links of the places nobody has opened."""

from __future__ import annotations

import csv
import html
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from study.protocol.models import Rater, Study
from study.rating import services
from tests.study.rating.factories import make_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    client = Client(enforce_csrf_checks=True)
    user = get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    client.force_login(user)
    return client


def links(client: Client, study: Study) -> list[dict[str, str]]:
    response = client.get(f"/dashboard/studies/{study.pk}/links.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{study.name}-links.csv"'
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def add(client: Client, study: Study, count: str):
    client.get(f"/dashboard/studies/{study.pk}/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    return client.post(
        f"/dashboard/studies/{study.pk}/places",
        {"count": count, "csrfmiddlewaretoken": token},
        follow=True,
    )


def test_it_adds_places_and_lists_only_unopened_links(staff, settings):
    settings.SITE_URL = "https://study.example"
    small = make_study(raters=3)
    page = add(staff, small.study, "2").content.decode()
    assert html.escape("2 place(s) added to 'small'; 5 link(s) not opened yet") in page
    assert '<strong id="unopened-places">5</strong>' in page
    raters = list(small.study.raters.order_by("number"))
    assert [r.number for r in raters] == [1, 2, 3, 4, 5]
    assert all(r.plan.count() == raters[0].plan.count() for r in raters)

    # Rater 1 opened the link and consented: that place is taken.
    services.give_consent(rater=raters[0])
    rows = links(staff, small.study)
    assert [row["rater"] for row in rows] == ["2", "3", "4", "5"]
    assert rows[0]["url"] == f"https://study.example/r/{raters[1].token}/"


def test_it_refuses_a_bad_count_and_a_closed_study(staff):
    small = make_study(raters=2)
    page = add(staff, small.study, "0").content.decode()
    assert "places: Ensure this value is greater than or equal to 1." in page
    assert Rater.objects.filter(study=small.study).count() == 2

    Study.objects.filter(pk=small.study.pk).update(state=Study.State.CLOSED)
    page = add(staff, small.study, "1").content.decode()
    assert html.escape("study 'small' is closed; reopen it to add raters") in page
    assert Rater.objects.filter(study=small.study).count() == 2


def test_it_needs_staff_and_a_csrf_token(staff, client):
    small = make_study(raters=2)
    url = f"/dashboard/studies/{small.study.pk}/places"
    assert staff.post(url, {"count": "1"}).status_code == 403  # no CSRF token
    anonymous = client.get(f"/dashboard/studies/{small.study.pk}/links.csv")
    assert anonymous.status_code == 302
    assert Rater.objects.filter(study=small.study).count() == 2
