from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from study.protocol.models import Rater
from study.rating.models import Rating
from tests.browser.test_rating_in_chromium import wait_for_item

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_sets_up_the_demo_and_its_printed_link_lets_a_rater_rate(
    live_server, page, tmp_path, monkeypatch
):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "demo-password-for-tests")
    out = StringIO()
    call_command("demo", export_dir=str(tmp_path / "export"), stdout=out)
    printed = out.getvalue()
    assert "staff login: admin / demo-password-for-tests" in printed
    assert (tmp_path / "export" / "figure5.png").exists()
    (link,) = re.findall(r"^  (http://127\.0\.0\.1:8000/r/\S+/)$", printed, flags=re.M)

    # A second run reuses everything.
    again = StringIO()
    call_command("demo", export_dir=str(tmp_path / "export"), stdout=again)
    assert "4 unchanged" in again.getvalue()
    # Per study: one invited rater and two simulated ones, the second run adds none.
    assert Rater.objects.filter(study__name="demo").count() == 3
    assert Rater.objects.filter(study__name="demo-pairwise").count() == 3
    assert (tmp_path / "export-pairwise" / "scale.png").exists()
    (pair_link,) = re.findall(r"^  (http://127\.0\.0\.1:8000/c/\S+/)$", printed, flags=re.M)

    page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    page.check("input[name=agree]")
    page.click("button:has-text('Continue')")
    page.wait_for_selector("#viewing-check:has-text('large enough')")
    page.click("#start-button")
    token = wait_for_item(page)
    while page.is_visible("#next-controls"):
        page.keyboard.press("ArrowRight")
        token = wait_for_item(page, token)
    page.keyboard.press("4")
    wait_for_item(page, token)

    token_in_link = link.rstrip("/").rsplit("/", 1)[1]
    rater = Rater.objects.get(token=token_in_link)
    assert not rater.simulated
    assert list(Rating.objects.filter(plan_item__rater=rater).values_list("score", flat=True)) == [
        4
    ]

    # The pairwise demo study's link opens its comparison page.
    page.goto(pair_link.replace("http://127.0.0.1:8000", live_server.url))
    page.wait_for_selector("text=Which image has the better quality?")
