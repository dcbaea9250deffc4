"""The rater table says in words why a rater is marked or rejected (a legend explains each
reason), beside the completion code and the crowdsourcing id that decide payment."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from study.protocol.models import Rater, Study
from tests.study.analysis.helpers import by_method, paper_study, rate

pytestmark = pytest.mark.django_db

SCORES = {"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}
CONFIG = {
    "seed": 7,
    "raters": 3,
    "arms": [{"dataset": "paper-set", "methods": ["nearest", "bicubic", "srgan-vgg54", "hr"]}],
    "quality": {"reject_if": ["calibration", "straight_lining"]},
}


def cell(page: str, cell_id: str) -> str:
    found = re.search(rf'<td id="{cell_id}"[^>]*>(.*?)</td>', page, re.S)
    assert found, cell_id
    return html.unescape(found.group(1)).strip()


def test_it_shows_words_a_legend_codes_and_ids():
    small = paper_study(images=3, raters=3)
    Study.objects.filter(pk=small.study.pk).update(config=CONFIG)
    Rater.objects.filter(pk=small.raters[0].pk).update(
        external_source="prolific", external_id="5f1e2d3c4b5a"
    )
    rate(small.raters[0], by_method(SCORES))
    rate(small.raters[1], lambda *_: 3)  # one score throughout, anchors missed, P.910 outlier
    rate(small.raters[2], by_method(SCORES), limit=2)
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    page = client.get(f"/dashboard/studies/{small.study.pk}/").content.decode()
    first, second = (Rater.objects.get(pk=r.pk) for r in small.raters[:2])

    assert cell(page, "external-1") == "5f1e2d3c4b5a"
    assert "<td>prolific</td>" in page
    assert cell(page, "code-1") == first.completion_code != ""
    assert cell(page, "code-2") == second.completion_code != ""
    assert cell(page, "screening-1") == ""
    words = "missed the anchors, same score throughout, inconsistent"
    assert cell(page, "screening-2") == words
    assert 'data-reasons="calibration;straight_lining;inconsistent"' in page
    assert "calibration;straight_lining;inconsistent<" not in page
    assert cell(page, "acceptance-1") == "accepted"
    assert cell(page, "acceptance-2") == "rejected: missed the anchors, same score throughout"
    assert cell(page, "acceptance-3") == "not finished"

    legend = re.search(r'<div class="legend" id="screening-legend">(.*?)</div>', page, re.S)
    assert legend
    terms = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", legend.group(1))
    assert [term for term, _ in terms] == [
        "missed the anchors",
        "same score throughout",
        "inconsistent",
    ]
    assert "calibration anchors" in html.unescape(terms[0][1])

    live = client.get(f"/dashboard/studies/{small.study.pk}/live.json").json()
    assert [r["screening_words"] for r in live["raters"]] == ["", words, ""]
    assert live["raters"][0]["external_id"] == "5f1e2d3c4b5a"
    assert live["raters"][1]["completion_code"] == second.completion_code
    assert [r["acceptance"] for r in live["raters"]] == [
        "accepted",
        "rejected: missed the anchors, same score throughout",  # reject_if's rules only
        "not finished",
    ]
