"""The study page: rater progress, generation jobs, MOS with CIs, Wilcoxon heat map, figure, zip."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from study.catalog.models import Dataset, Method, SourceImage
from study.generation.models import GenerationItem, GenerationJob
from study.protocol.models import Rater, Study
from tests.study.analysis.helpers import EXPORT_FILES, by_method, paper_study, rate

pytestmark = pytest.mark.django_db

SCORES = {"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    return client


def test_it_shows_progress_jobs_mos_and_the_wilcoxon_heat_map(staff_client):
    small = paper_study(images=3, raters=3)
    rate(small.raters[0], by_method(SCORES))
    rate(small.raters[1], by_method(SCORES), limit=4)
    Rater.objects.filter(pk=small.raters[2].pk).update(simulated=True)
    dataset = Dataset.objects.get(name="paper-set")
    job = GenerationJob.objects.create(
        dataset=dataset, method=Method.objects.get(key="bicubic"), queue="cpu"
    )
    for image, status in zip(
        SourceImage.objects.filter(dataset=dataset), ["done", "failed", "pending"], strict=True
    ):
        GenerationItem.objects.create(job=job, image=image, batch=0, status=status)

    page = staff_client.get(f"/dashboard/studies/{small.study.pk}/").content.decode()
    assert '<td id="progress-1">13 / 13</td>' in page
    assert '<td id="progress-2">4 / 13</td>' in page
    assert '<td id="progress-3">0 / 13</td>' in page
    assert "<td>yes</td>" in page  # rater 3 is simulated
    assert '<strong id="ratings-done">17</strong>' in page
    # The job's item counts: done, failed, pending, total.
    assert "<td>1</td><td>1</td>\n          <td>1</td><td>3</td>" in page
    # MOS in the paper's Table 2 layout: a column per method, a row per measure.
    assert '<table class="data paper" id="mos-1">' in page
    assert '<th scope="col">NN</th><th scope="col">Bicubic</th>' in page
    assert '<tr><th scope="row">MOS</th><td>1.00</td>' in page
    assert 'class="heat"' in page
    assert 'id="figure5"' in page
    assert f'href="/dashboard/studies/{small.study.pk}/export.zip"' in page

    live = staff_client.get(f"/dashboard/studies/{small.study.pk}/live.json").json()
    assert live["done"] == 17
    assert live["total"] == 39
    assert [r["done"] for r in live["raters"]] == [13, 4, 0]
    mos = {row["method"]: row for row in live["mos"]}
    assert mos["hr"]["mos"] == 5.0
    assert mos["hr"]["label"] == "HR"
    assert [row["method"] for row in live["mos"]] == ["nearest", "bicubic", "srgan-vgg54", "hr"]

    figure = staff_client.get(f"/dashboard/studies/{small.study.pk}/figure5.png")
    assert figure["Content-Type"] == "image/png"
    assert figure.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_it_updates_the_live_numbers_after_a_new_rating(staff_client):
    small = paper_study(images=2, raters=1)
    live = staff_client.get(f"/dashboard/studies/{small.study.pk}/live.json").json()
    assert live["done"] == 0
    assert live["mos"] == []
    rate(small.raters[0], by_method(SCORES), limit=1)
    live = staff_client.get(f"/dashboard/studies/{small.study.pk}/live.json").json()
    assert live["done"] == 1
    assert len(live["mos"]) == 1


def test_it_downloads_the_export_as_a_zip(staff_client):
    small = paper_study(images=2, raters=2)
    for rater in small.raters:
        rate(rater, by_method(SCORES))
    response = staff_client.get(f"/dashboard/studies/{small.study.pk}/export.zip")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="paper-export.zip"'
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == sorted(f"paper-export/{name}" for name in EXPORT_FILES)


def test_it_explains_why_a_study_without_ratings_has_no_export(staff_client):
    small = paper_study()
    response = staff_client.get(f"/dashboard/studies/{small.study.pk}/export.zip", follow=True)
    assert "has no ratings to export" in response.content.decode()
    assert staff_client.get(f"/dashboard/studies/{small.study.pk}/figure5.png").status_code == 404


def test_it_shows_an_imported_study_without_image_files(staff_client, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("rater,dataset,image,method,score\nann,Lab,p1,bicubic,2\nann,Lab,p1,hr,5\n")
    call_command("import_ratings", str(path), "--study", "lab", "--create")
    listing = staff_client.get("/dashboard/").content.decode()
    assert ">lab</a>" in listing
    pk = Study.objects.get(name="lab").pk
    page = staff_client.get(f"/dashboard/studies/{pk}/").content.decode()
    assert "<td>ann</td>" in page
    assert '<td id="progress-1">2 / 2</td>' in page
    assert staff_client.get(f"/dashboard/studies/{pk}/figure5.png").status_code == 200
    assert staff_client.get(f"/dashboard/studies/{pk}/export.zip").status_code == 200
