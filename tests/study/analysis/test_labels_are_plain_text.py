"""A method label is display text: ``$`` and ``\\`` in it break no export, and a label
can be changed afterwards with ``import_outputs --label``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from srmodels.imageio import save_png
from study.catalog.models import Method
from study.catalog.services import ensure_method
from tests.study.analysis.helpers import EXPORT_FILES, by_method, paper_study, rate
from tests.study.catalog.images import photo, write_folder

pytestmark = pytest.mark.django_db

LABEL = r"x$\foo$"


def _import(tmp_path, label: str, *extra: str) -> str:
    folder = tmp_path / "published"
    folder.mkdir(exist_ok=True)
    save_png(folder / "a.png", photo(32, 32, 99))
    out = StringIO()
    call_command(
        "import_outputs", "One", "selexsr", str(folder), "--pattern", "{name}.png",
        "--label", label, *extra, stdout=out, stderr=StringIO(),
    )  # fmt: skip
    return out.getvalue()


def test_it_changes_a_label_even_when_no_file_changes(tmp_path):
    write_folder(tmp_path / "hr", {"a": (32, 32)})
    call_command("import_dataset", "One", str(tmp_path / "hr"), stdout=StringIO())
    _import(tmp_path, "SelfExSR")
    printed = _import(tmp_path, LABEL, "--replace")
    assert "1 unchanged" in printed
    assert f"label 'SelfExSR' -> {LABEL!r}" in printed
    assert Method.objects.get(key="selexsr").label == LABEL


def test_it_exports_every_file_with_a_dollar_in_a_label(tmp_path):
    small = paper_study(methods=("nearest", "bicubic", "selexsr", "hr"))
    ensure_method(key="selexsr", label=LABEL)
    scores = by_method({"nearest": 1, "bicubic": 2, "selexsr": 4, "hr": 5})
    for rater in small.raters:
        rate(rater, scores)
    out = tmp_path / "export"
    call_command("export_results", small.study.name, "--out", str(out), stdout=StringIO())
    assert sorted(p.name for p in out.iterdir()) == sorted(EXPORT_FILES)
    assert (out / "figure5.png").stat().st_size > 1000
