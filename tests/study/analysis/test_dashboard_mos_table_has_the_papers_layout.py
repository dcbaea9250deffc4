"""The study page's MOS table is laid out as the paper's Table 2 (a column per method,
PSNR / SSIM / daala SSIM beside the MOS), and the MOS of each image is there too."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.study.analysis.helpers import paper_study, rate, set_metrics

pytestmark = pytest.mark.django_db

BASE = {"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}


def section(page: str, table_id: str) -> str:
    found = re.search(rf'<table [^>]*id="{table_id}">(.*?)</table>', page, re.S)
    assert found, table_id
    return re.sub(r"\s+", " ", found.group(1))


def rows(table: str) -> list[list[str]]:
    """Every row's header and cells as text (bold marked with *)."""
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", table):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        out.append([re.sub(r"<strong>(.*?)</strong>", r"*\1*", c).strip() for c in cells])
    return out


def test_it_shows_metrics_beside_the_mos_and_the_mos_per_image():
    small = paper_study(images=3, raters=2)
    set_metrics(
        small,
        {
            "nearest": (23.4567, 0.61234, 0.70011),
            "bicubic": (25.0, 0.7, 0.8),
            "srgan-vgg54": (24.1, 0.72, 0.79),
        },
    )
    # Rater 1: by method, but bicubic img_002 gets a 3; rater 2: one point higher, HR 5.
    rate(
        small.raters[0],
        lambda d, image, m, r: 3 if (m, image) == ("bicubic", "img_002") else BASE[m],
    )
    rate(small.raters[1], lambda d, image, m, r: min(5, BASE[m] + 1))
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    page = client.get(f"/dashboard/studies/{small.study.pk}/").content.decode()

    table = section(page, "mos-1")
    assert "<caption>paper-set</caption>" in table
    # NN: 1,1,1 and 2,2,2 -> 1.50; bicubic: 2,3,2 and 3,3,3 -> 2.67; SRGAN 4 and 5 -> 4.50.
    assert rows(table) == [
        ["Measure", "NN", "Bicubic", "SRGAN", "HR"],
        ["PSNR (dB)", "23.46", "*25.00*", "24.10", "∞"],
        ["SSIM", "0.6123", "0.7000", "*0.7200*", "1"],
        ["daala SSIM", "0.7001", "*0.8000*", "0.7900", "1"],
        ["MOS", "1.50", "2.67", "*4.50*", "5.00"],
        ["95 % CI of MOS", "0.93 – 2.07", "2.12 – 3.21", "3.93 – 5.07", "5.00 – 5.00"],
        ["Ratings", "6", "6", "6", "6"],
    ]

    per_image = section(page, "per-image-1")
    assert rows(per_image) == [
        ["Image", "NN", "Bicubic", "SRGAN", "HR"],
        ["img_001", "1.50", "2.50", "4.50", "5.00"],
        ["img_002", "1.50", "3.00", "4.50", "5.00"],
        ["img_003", "1.50", "2.50", "4.50", "5.00"],
    ]
    assert 'title="2 ratings"' in per_image
