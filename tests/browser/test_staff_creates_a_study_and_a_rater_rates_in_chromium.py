"""From the dashboard alone: a staff user creates a study by uploading its TOML, opens it,
downloads the links of its places, and a rater with one of those links rates."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from PIL import Image

from study.protocol.models import Rater, Study
from study.rating.models import Rating

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
TOML = """\
title = "Which photographs look best?"
seed = 3
raters = 2

[[arms]]
dataset = "Tiny"
methods = ["nearest", "bicubic", "hr"]

[calibration]
dataset = "TinyCal"
images = 1
low = { method = "nearest", score = 1 }
high = { method = "hr", score = 5 }
"""


def photographs(folder, count: int, seed: int) -> None:
    folder.mkdir()
    rng = np.random.default_rng(seed)
    for index in range(count):
        # Smooth gradients plus noise: something the bicubic LR keeps a little of.
        y, x = np.mgrid[0:80, 0:120]
        base = np.stack([x * 2, y * 3, (x + y)], axis=-1) % 256
        pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"photo{index + 1}.png")


def wait_for_item(page, previous: str | None = None) -> str:
    page.wait_for_function(
        """previous => {
            const img = document.getElementById('stimulus');
            const item = document.querySelector('input[name=item]');
            return img && item && item.value !== previous && img.complete &&
                   img.naturalWidth > 0 && !img.classList.contains('loading') &&
                   !document.querySelector('#rate-form button').disabled;
        }""",
        arg=previous,
    )
    return page.input_value("input[name=item]")


def test_it_takes_a_study_from_upload_to_a_rating(live_server, page, browser, tmp_path, settings):
    settings.SITE_URL = live_server.url
    photographs(tmp_path / "tiny", 2, seed=1)
    photographs(tmp_path / "cal", 1, seed=2)
    call_command("import_dataset", "Tiny", str(tmp_path / "tiny"), "--workers", "1")
    call_command(
        "import_dataset", "TinyCal", str(tmp_path / "cal"), "--role", "calibration",
        "--workers", "1",
    )  # fmt: skip
    get_user_model().objects.create_user("lead", password=PASSWORD, is_staff=True)
    definition = tmp_path / "study.toml"
    definition.write_text(TOML)

    # The staff user signs in, uploads the definition and opens the study.
    page.goto(f"{live_server.url}/dashboard/")
    page.fill("#id_username", "lead")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#create-study")
    page.fill("#id_name", "tiny-study")
    page.set_input_files("#id_config", str(definition))
    page.click("#create-study button[type=submit]")
    page.wait_for_selector("#open-study")
    study = Study.objects.get(name="tiny-study")
    assert page.url == f"{live_server.url}/dashboard/studies/{study.pk}/"
    assert "6 rating stimuli (0 retested), 2 calibration stimuli, 2 places" in page.text_content(
        "#messages"
    )
    assert page.text_content("#study-state") == "draft"
    page.click("#open-study")
    page.wait_for_selector("#close-study")
    assert page.text_content("#study-state") == "open"

    # The links of the two places, as a CSV download.
    with page.expect_download() as info:
        page.click("#download-links")
    target = tmp_path / "links.csv"
    info.value.save_as(str(target))
    assert info.value.suggested_filename == "tiny-study-links.csv"
    links = list(csv.DictReader(target.open()))
    assert [row["rater"] for row in links] == ["1", "2"]

    # A rater follows the first link (with a Prolific id) and rates every image.
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        rater_page = context.new_page()
        rater_page.goto(links[0]["url"] + "?PROLIFIC_PID=p-0001")
        rater_page.check("input[name=agree]")
        rater_page.click("button:has-text('Continue')")
        rater_page.wait_for_selector("#viewing-check:has-text('large enough')")
        rater_page.click("#start-button")
        token = wait_for_item(rater_page)
        for _ in range(2):  # the calibration pair
            rater_page.keyboard.press("Enter")
            token = wait_for_item(rater_page, token)
        for index in range(6):
            rater_page.keyboard.press(str(1 + index % 5))
            if index < 5:
                token = wait_for_item(rater_page, token)
        rater_page.wait_for_selector("#completion-code")
        code = rater_page.text_content("#completion-code").strip()
    finally:
        context.close()
    rater = Rater.objects.get(study=study, number=1)
    assert code == rater.completion_code
    assert Rating.objects.filter(plan_item__rater=rater).count() == 6

    # The dashboard shows the finished rater with their id and code; the link is taken.
    page.goto(f"{live_server.url}/dashboard/studies/{study.pk}/")
    assert page.text_content("#progress-1") == "6 / 6"
    assert page.text_content("#external-1") == "p-0001"
    assert page.text_content("#code-1") == code
    assert page.text_content("#unopened-places") == "1"
    with page.expect_download() as info:
        page.click("#download-links")
    info.value.save_as(str(target))
    assert [row["rater"] for row in csv.DictReader(target.open())] == ["2"]
