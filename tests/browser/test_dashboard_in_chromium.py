"""The researcher's dashboard in Chromium: log in, watch a rating arrive, download the zip."""

from __future__ import annotations

import zipfile

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.study.analysis.helpers import EXPORT_FILES, by_method, paper_study, rate

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
SCORES = {"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}


def test_it_shows_staff_live_progress_and_serves_the_export(
    live_server, page, artifacts_dir, tmp_path
):
    get_user_model().objects.create_user("lead", password=PASSWORD, is_staff=True)
    small = paper_study(images=3, raters=2)
    rate(small.raters[1], by_method(SCORES))  # a finished rater: the export has data
    url = f"{live_server.url}/dashboard/studies/{small.study.pk}/?poll=1"

    page.goto(url)
    assert "/admin/login/" in page.url  # anonymous: sent to the login page
    page.fill("#id_username", "lead")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#progress")
    assert page.url == url
    assert page.text_content("#progress-1").strip() == "0 / 13"
    assert page.text_content("#progress-2").strip() == "13 / 13"
    assert page.text_content("#ratings-done").strip() == "13"

    # A rater submits (through the submission service, as the rating page does); the
    # page polls live.json and shows the new progress without a reload.
    rate(small.raters[0], by_method(SCORES), limit=2)
    page.wait_for_function(
        "() => document.getElementById('progress-1').textContent === '2 / 13'", timeout=20_000
    )
    page.wait_for_function(
        "() => document.getElementById('ratings-done').textContent === '15'", timeout=20_000
    )
    # The MOS table (Table 2's layout) is redrawn too: its "Ratings" row counts the 12
    # first presentations of rater 2 and the 2 of rater 1.
    page.wait_for_function(
        """() => [...document.querySelectorAll('#mos-1 tbody tr')]
                   .filter(row => row.cells[0].textContent === 'Ratings')
                   .flatMap(row => [...row.cells].slice(1))
                   .reduce((sum, cell) => sum + Number(cell.textContent), 0) === 14""",
        timeout=20_000,
    )
    assert page.is_visible("#figure5")
    assert page.get_attribute("#figure5", "src").endswith("figure5.png?v=15")
    page.screenshot(path=str(artifacts_dir / "dashboard-study.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#download-export")
    download = info.value
    assert download.suggested_filename == "paper-export.zip"
    target = tmp_path / "export.zip"
    download.save_as(str(target))
    names = set(zipfile.ZipFile(target).namelist())
    assert {
        f"paper-export/{n}"
        for n in ("ratings.csv", "mos.csv", "manifest.json", "figure5.png", "table2.tex")
    } <= names
    assert names == {f"paper-export/{n}" for n in EXPORT_FILES}  # payments.csv too

    # Closing the study from the page is a POST with the CSRF token.
    page.click("#close-study")
    page.wait_for_selector("#open-study")
    assert page.text_content("#study-state").strip() == "closed"


def test_it_refuses_a_user_who_is_not_staff(live_server, browser):
    user = get_user_model().objects.create_user("rater", password=PASSWORD)
    small = paper_study()
    context = browser.new_context()
    try:
        page = context.new_page()
        # The login page admits staff only.
        page.goto(f"{live_server.url}/dashboard/")
        page.fill("#id_username", "rater")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector(".errornote")
        assert "/admin/login/" in page.url
        # Signed in some other way, the dashboard still answers 403.
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        for path in ("/dashboard/", f"/dashboard/studies/{small.study.pk}/export.zip"):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 403, path
    finally:
        context.close()
