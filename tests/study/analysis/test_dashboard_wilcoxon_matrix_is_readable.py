"""The Wilcoxon matrix of the study page: readable text on every colour, and each cell
stated from its own row's side (a mirrored cell turns the comparison and the effect
size around)."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from study.analysis.dashboard import live_summary
from study.analysis.panels import contrast_ratio, heat, text_on
from study.analysis.services import simulate_raters
from tests.study.analysis.helpers import paper_study

CELL = re.compile(r'<td style="background:(#[0-9a-f]{6});color:(#[0-9a-f]{6})" title="([^"]*)"')
QUALITY = {"nearest": 1.4, "bicubic": 2.6, "srgan-vgg54": 3.6, "hr": 4.4}


def test_it_keeps_text_readable_on_every_background():
    backgrounds = {heat(None), heat(0.05), heat(0.5), heat(1.0)}
    # Every shade of blue the scale has (it is deepest from p = 1e-10 on).
    backgrounds |= {heat(float(p)) for p in np.logspace(-12, -1.31, 2000)}
    assert len(backgrounds) > 40
    for background in backgrounds:
        assert contrast_ratio(text_on(background), background) >= 4.5, background
    # The old fixed dark text on the deepest blue read at about 2.6:1.
    assert contrast_ratio("#1b1b1b", heat(1e-12)) < 3.0


@pytest.mark.django_db
def test_it_states_each_cell_from_its_row_and_keeps_the_contrast():
    small = paper_study(images=4, raters=1)
    simulate_raters(study=small.study, count=12, seed=3, quality=QUALITY, noise_sd=0.5)
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    page = client.get(f"/dashboard/studies/{small.study.pk}/").content.decode()
    cells = CELL.findall(page)
    assert len(cells) == 12  # 4 methods: 4 x 3 off-diagonal cells
    for background, colour, _ in cells:
        assert contrast_ratio(colour, background) >= 4.5
    assert {colour for _, colour, _ in cells} == {"#000000", "#ffffff"}

    pair = live_summary(study=small.study)["wilcoxon"].set_index(["method_a", "method_b"])
    row = pair.loc[("nearest", "bicubic")]
    assert row["mos_a"] < row["mos_b"]
    titles = {html.unescape(t).split(";")[0]: html.unescape(t) for _, _, t in cells}
    nn_first = titles[f"NN {row['mos_a']:.2f} < Bicubic {row['mos_b']:.2f}"]
    bicubic_first = titles[f"Bicubic {row['mos_b']:.2f} > NN {row['mos_a']:.2f}"]
    assert f"effect size {row['effect_size']:+.2f} (positive: NN rated higher)" in nn_first
    assert row["effect_size"] < 0
    assert (
        f"effect size {-row['effect_size']:+.2f} (positive: Bicubic rated higher)" in bicubic_first
    )
    # The cell's own text gives the direction: the row's method higher (▲) or lower (▼).
    marks = re.findall(r'title="Bicubic [^"]*&gt; NN[^"]*"[^>]*>([^<]*)</td>', page)
    assert len(marks) == 1
    assert marks[0].startswith("▲ ")
    marks = re.findall(r'title="NN [^"]*&lt; Bicubic[^"]*"[^>]*>([^<]*)</td>', page)
    assert len(marks) == 1
    assert marks[0].startswith("▼ ")
