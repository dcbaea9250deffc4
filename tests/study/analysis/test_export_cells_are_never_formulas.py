"""No cell of an export starts a spreadsheet formula: text starting with ``= + - @`` is
written with a leading ``'``; numbers (``-0.66``) stay numbers."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from django.core.management import call_command

from study.analysis.exports import csv_bytes

pytestmark = pytest.mark.django_db

NAMES = ['=HYPERLINK("http://x.example","click")', "=1+1", "@SUM(1)", "+cmd", "-2+3"]


def _write_ratings(path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rater", "dataset", "image", "method", "score"])
        for rater in NAMES:
            for image in ("p1", "p2"):
                writer.writerows(
                    [[rater, "Lab", image, "bicubic", 2], [rater, "Lab", image, "hr", 5]]
                )


def test_it_escapes_formula_text_and_keeps_numbers():
    frame = pd.DataFrame(
        {"rater": ["=1+1", "@SUM(1)", "ann", "-2+3"], "diff": ["-0.66", "+3", "x", "-1e-3"]}
    )
    lines = csv_bytes(frame).decode().splitlines()
    assert lines == ["rater,diff", "'=1+1,-0.66", "'@SUM(1),+3", "ann,x", "'-2+3,-1e-3"]


def test_it_writes_imported_rater_names_as_text_in_every_csv(tmp_path):
    source = tmp_path / "ratings.csv"
    _write_ratings(source)
    call_command("import_ratings", str(source), "--study", "lab", "--create")
    out = tmp_path / "export"
    call_command("export_results", "lab", "--out", str(out))
    for path in sorted(out.glob("*.csv")):
        with path.open(newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if cell[:1] in {"=", "+", "-", "@"}:
                        float(cell)  # only numbers may start so
    ratings = (out / "ratings.csv").read_text()
    assert "'=HYPERLINK" in ratings
    assert "'@SUM(1)" in ratings
