"""The tables and manifest.json say which outputs are published ones and which were
generated here (issue 12: the authors' SRGAN outputs beside this platform's)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from study.catalog.models import Output
from tests.study.analysis.helpers import by_method, paper_study, rate

pytestmark = pytest.mark.django_db


def test_it_names_published_and_generated_outputs(tmp_path):
    small = paper_study(methods=("nearest", "bicubic", "srresnet-mse", "srgan-vgg54", "hr"))
    arm = Output.objects.filter(image__dataset__name="paper-set")
    arm.filter(method__key="srgan-vgg54").update(origin="imported", source="/published/SRGAN")
    arm.filter(method__key="srresnet-mse").update(origin="generated", weights_checksum="ab12")
    scores = by_method({"nearest": 1, "bicubic": 2, "srresnet-mse": 3, "srgan-vgg54": 4, "hr": 5})
    for rater in small.raters:
        rate(rater, scores)
    out = tmp_path / "export"
    call_command("export_results", small.study.name, "--out", str(out), stdout=StringIO())

    markdown = (out / "tables.md").read_text()
    assert (
        "Outputs: SRResNet: generated here on paper-set. SRGAN: published outputs on paper-set."
        in markdown
    )
    assert "published outputs on paper-set" in (out / "table2.tex").read_text()
    records = {r["method"]: r for r in json.loads((out / "manifest.json").read_text())["outputs"]}
    assert records["srgan-vgg54"]["origin"] == "imported"
    assert records["srgan-vgg54"]["sources"] == ["/published/SRGAN"]
    assert records["srresnet-mse"]["weights"] == ["ab12"]
    assert records["srresnet-mse"]["images"] == 3
