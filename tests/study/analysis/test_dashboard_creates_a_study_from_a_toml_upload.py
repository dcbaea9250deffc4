"""The dashboard creates a study from an uploaded TOML, checked as ``create_study`` checks it."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from study.protocol.models import PlanItem, Rater, Stimulus, Study
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog

pytestmark = pytest.mark.django_db

CREATE = "/dashboard/studies/new"


@pytest.fixture
def staff() -> Client:
    client = Client(enforce_csrf_checks=True)
    user = get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    client.force_login(user)
    client.get("/dashboard/")  # the page's form sets the CSRF cookie
    return client


def upload(client: Client, name: str, text: str, **extra: str):
    return client.post(
        CREATE,
        {
            "name": name,
            "config": SimpleUploadedFile("study.toml", text.encode(), "application/toml"),
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            **extra,
        },
    )


def counts() -> tuple[int, int, int, int]:
    return (
        Study.objects.count(),
        Stimulus.objects.count(),
        Rater.objects.count(),
        PlanItem.objects.count(),
    )


def test_it_creates_the_draft_study_with_its_places(staff):
    small_catalog()
    response = upload(staff, "uploaded", SMALL_TOML)
    study = Study.objects.get(name="uploaded")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/studies/{study.pk}/"
    assert study.state == Study.State.DRAFT
    assert study.config_source == SMALL_TOML
    assert study.raters.count() == 3
    # 4 x 4 (A) + 3 x 3 (B) rating stimuli, 2 x 2 calibration stimuli.
    assert study.stimuli.filter(role="rating").count() == 25
    assert study.stimuli.filter(role="calibration").count() == 4
    page = staff.get(response["Location"]).content.decode()
    assert (
        html.escape(
            "study 'uploaded' created (draft, seed 7): 25 rating stimuli (2 retested), "
            "4 calibration stimuli, 3 places"
        )
        in page
    )
    assert '<strong id="unopened-places">3</strong>' in page


def test_it_lists_every_problem_the_command_lists_and_creates_nothing(staff, tmp_path):
    small_catalog()
    broken = SMALL_TOML.replace("raters = 3", "raters = 0").replace(
        "[session]\n", "[session]\nbreaks = 3\n"
    )
    path = tmp_path / "study.toml"
    path.write_text(broken)
    with pytest.raises(CommandError) as refused:
        call_command("create_study", "cli", "--config", str(path))
    lines = str(refused.value).splitlines()[1:]
    assert len(lines) == 2
    assert lines[0].strip() == "raters: must be 1 to 100000, got 0"
    assert lines[1].strip().startswith("session.breaks: unknown key")
    before = counts()

    response = upload(staff, "uploaded", broken)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Invalid study definition:" in page
    for line in lines:
        assert f"<li>{html.escape(line.strip())}</li>" in page
    assert counts() == before
    assert 'value="uploaded"' in page  # the name is kept for the next try


def test_it_reports_what_the_catalog_lacks_and_a_malformed_file(staff):
    small_catalog()
    unknown = SMALL_TOML.replace('dataset = "B"', 'dataset = "Set15"')
    page = upload(staff, "uploaded", unknown).content.decode()
    assert html.escape("arms[1].dataset: unknown dataset 'Set15' (known: A, B, Cal)") in page

    malformed = SMALL_TOML.replace('dataset = "A"\nmethods', 'dataset = "A\nmethods')
    response = upload(staff, "uploaded", malformed)
    assert response.status_code == 400
    assert "study.toml: malformed TOML: " in response.content.decode()

    response = upload(staff, "bad name!", SMALL_TOML)
    assert "is not a study name" in html.unescape(response.content.decode())
    assert Study.objects.count() == 0

    upload(staff, "uploaded", SMALL_TOML)
    again = upload(staff, "uploaded", SMALL_TOML)
    assert again.status_code == 400
    assert "name: a study named 'uploaded' already exists" in html.unescape(again.content.decode())
    assert Study.objects.count() == 1


def test_it_is_for_staff_and_needs_the_csrf_token(client):
    small_catalog()
    file = SimpleUploadedFile("study.toml", SMALL_TOML.encode())
    response = client.post(CREATE, {"name": "x", "config": file})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

    user = get_user_model().objects.create_user("rater", password="x-long-password")
    client.force_login(user)
    assert client.post(CREATE, {"name": "x", "config": file}).status_code == 403

    staff = Client(enforce_csrf_checks=True)
    staff.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    file = SimpleUploadedFile("study.toml", SMALL_TOML.encode())
    assert staff.post(CREATE, {"name": "x", "config": file}).status_code == 403
    assert staff.get(CREATE).status_code == 405
    assert Study.objects.count() == 0
