"""The dashboard's page of a two-image study: progress, the kind's tables, figure and zip."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from study.pairwise import services
from study.rating import services as rater_services
from study.rating.selectors import item_token
from tests.study.pairwise.exporting import FOOLRATE_FILES, PAIRWISE_FILES, simulated_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    return client


def test_it_shows_progress_scale_tests_figure_and_the_zip_of_a_pairwise_study(staff_client):
    study = simulated_study(count=2)  # rater 1 invited, raters 2-3 simulated: 6 trials each
    rater = study.raters.get(number=1)
    rater_services.give_consent(rater=rater)
    rater_services.start_rating(rater=rater)
    token = item_token(rater=rater, position=0)
    services.submit_choice(token=rater.token, item=token, side="right")

    page = staff_client.get(f"/dashboard/studies/{study.pk}/").content.decode()
    assert '<td id="progress-1">1 / 6</td>' in page
    assert '<td id="progress-2">6 / 6</td>' in page
    assert '<strong id="ratings-done">13</strong>' in page
    assert '<table class="data" id="scale">' in page
    assert "<td>pairs</td><td>NEAREST</td><td>0.00</td><td>0.00</td><td>0.00</td>" in page
    assert '<table class="data" id="pairwise">' in page
    assert "<td>pairs</td><td>NEAREST</td><td>BICUBIC</td><td>" in page
    assert '<img id="pairwise-figure" src="data:image/png;base64,' in page
    assert f'href="/dashboard/studies/{study.pk}/export.zip"' in page

    live = staff_client.get(f"/dashboard/studies/{study.pk}/live.json").json()
    assert (live["state"], live["choices"], live["done"], live["total"]) == ("open", 13, 13, 18)
    assert [t["id"] for t in live["tables"]] == ["scale", "pairwise"]
    assert live["raters"][0] == {
        "number": 1, "done": 1, "total": 6, "finished": False,
        "last_activity": live["raters"][0]["last_activity"], "screening": "",
    }  # fmt: skip

    archive = staff_client.get(f"/dashboard/studies/{study.pk}/export.zip")
    assert archive["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert sorted(names) == [f"pairs-study-export/{name}" for name in PAIRWISE_FILES]


def test_it_shows_the_fool_rate_of_a_2afc_real_study(staff_client):
    study = simulated_study(kind="2afc-real", count=2)
    page = staff_client.get(f"/dashboard/studies/{study.pk}/").content.decode()
    assert '<table class="data" id="foolrate">' in page
    assert 'id="pairwise"' not in page
    archive = staff_client.get(f"/dashboard/studies/{study.pk}/export.zip")
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert sorted(names) == [f"pairs-study-export/{name}" for name in FOOLRATE_FILES]


def test_it_sends_the_tables_again_when_choices_arrive(staff_client):
    study = simulated_study(count=1)
    url = f"/dashboard/studies/{study.pk}/live.json"
    same = staff_client.get(url + "?since=6").json()
    assert same["choices"] == 6
    assert "panels" not in same
    fresh = staff_client.get(url + "?since=0").json()
    assert '<table class="data" id="scale">' in fresh["panels"]
    assert 'id="pairwise-figure" src="data:image/png;base64,' in fresh["panels"]
    page = staff_client.get(f"/dashboard/studies/{study.pk}/").content.decode()
    assert 'data-panels="1"' in page
    assert '<div id="panels">' in page
