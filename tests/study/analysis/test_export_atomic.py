"""A failed export leaves nothing behind; an existing folder is replaced only on request."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tests.study.analysis.helpers import by_method, paper_study, rate

pytestmark = pytest.mark.django_db

SCORES = {"nearest": 1, "bicubic": 2, "srgan-vgg54": 4, "hr": 5}


@pytest.fixture
def folder(tmp_path):
    """An empty folder of its own (tmp_path also holds the test's media files)."""
    path = tmp_path / "exports"
    path.mkdir()
    return path


def test_it_writes_nothing_for_a_study_without_ratings(folder):
    small = paper_study()
    with pytest.raises(CommandError, match="has no ratings"):
        call_command("export_results", small.study.name, "--out", str(folder / "out"))
    assert list(folder.iterdir()) == []


def test_it_names_an_unknown_study(folder):
    with pytest.raises(CommandError, match="no study named 'nope'"):
        call_command("export_results", "nope", "--out", str(folder / "out"))
    assert list(folder.iterdir()) == []


def test_it_refuses_a_non_empty_folder_and_replaces_it_with_overwrite(folder):
    small = paper_study()
    rate(small.raters[0], by_method(SCORES))
    out = folder / "out"
    out.mkdir()
    (out / "old.txt").write_text("keep me")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_results", small.study.name, "--out", str(out))
    assert [p.name for p in out.iterdir()] == ["old.txt"]

    call_command("export_results", small.study.name, "--out", str(out), "--overwrite")
    names = {p.name for p in out.iterdir()}
    assert "old.txt" not in names
    assert {"ratings.csv", "manifest.json", "figure5.png"} <= names
    # No staging or backup folder is left next to the export.
    assert [p.name for p in folder.iterdir()] == ["out"]


def test_it_fills_an_existing_empty_folder(folder):
    small = paper_study()
    rate(small.raters[0], by_method(SCORES))
    out = folder / "out"
    out.mkdir()
    call_command("export_results", small.study.name, "--out", str(out))
    assert (out / "manifest.json").exists()
    assert [p.name for p in folder.iterdir()] == ["out"]


def test_it_refuses_a_missing_parent_folder(folder):
    small = paper_study()
    rate(small.raters[0], by_method(SCORES))
    with pytest.raises(CommandError, match="no such folder"):
        call_command("export_results", small.study.name, "--out", str(folder / "a" / "b"))
    assert list(folder.iterdir()) == []
