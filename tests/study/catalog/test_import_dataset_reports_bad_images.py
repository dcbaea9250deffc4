from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from srmodels.imageio import save_png
from study.catalog.models import Dataset, Output, SourceImage
from tests.study.catalog.images import photo, stored_files, write_folder

pytestmark = pytest.mark.django_db


def test_it_names_a_broken_image_and_keeps_nothing_of_it(tmp_path, media_root):
    folder = tmp_path / "src"
    write_folder(folder, {"good": (32, 32)})
    (folder / "broken.png").write_text("this is not a PNG")
    err = StringIO()

    with pytest.raises(CommandError, match="1 image"):
        call_command("import_dataset", "Mixed", str(folder), stdout=StringIO(), stderr=err)

    assert "failed: broken:" in err.getvalue()
    assert "broken.png" in err.getvalue()
    assert list(SourceImage.objects.values_list("name", flat=True)) == ["good"]
    assert not Output.objects.filter(image__name="broken").exists()
    assert not [name for name in stored_files(media_root) if "broken" in name or ".tmp-" in name]


def test_it_checks_lr_files_against_the_hr_size(tmp_path, media_root):
    folder = tmp_path / "src"
    write_folder(folder, {"a": (32, 32), "b": (32, 32)}, pattern="{name}_HR.png")
    save_png(folder / "a_LR.png", photo(8, 8, 1))
    save_png(folder / "b_LR.png", photo(9, 8, 2))
    err = StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_dataset", "Sized", str(folder), "--pattern", "{name}_HR.png",
            "--lr-pattern", "{name}_LR.png", stdout=StringIO(), stderr=err,
        )  # fmt: skip

    assert "b_LR.png: LR is 8x9, expected 8x8 (HR 32x32 / 4)" in err.getvalue()
    assert list(SourceImage.objects.values_list("name", flat=True)) == ["a"]
    assert not [name for name in stored_files(media_root) if "/b.png" in name]


def test_it_fails_and_writes_nothing_when_no_file_matches(tmp_path, media_root):
    folder = tmp_path / "src"
    write_folder(folder, {"a": (32, 32)})

    with pytest.raises(CommandError, match=r"no file matches --pattern '\{name\}_HR.png'"):
        call_command(
            "import_dataset", "Empty", str(folder), "--pattern", "{name}_HR.png",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip

    assert not Dataset.objects.exists()
    assert stored_files(media_root) == []


def test_it_refuses_a_pattern_without_the_name_placeholder(tmp_path):
    with pytest.raises(CommandError, match=r"--pattern 'img.png' must contain \{name\}"):
        call_command("import_dataset", "X", str(tmp_path), "--pattern", "img.png")
