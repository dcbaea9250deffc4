from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from srmodels.imageio import save_png
from study.catalog.models import Output
from tests.study.catalog.images import photo, write_folder

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("import_outputs", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_keeps_an_existing_output_unless_replace_is_given(tmp_path):
    write_folder(tmp_path / "hr", {"a": (32, 32)})
    call_command("import_dataset", "One", str(tmp_path / "hr"), stdout=StringIO())
    generated = Output.objects.get(method__key="bicubic")
    folder = tmp_path / "published"
    folder.mkdir()
    save_png(folder / "a.png", photo(32, 32, 99))

    assert "0 imported, 0 replaced, 1 unchanged" in run(
        "One", "bicubic", str(folder), "--pattern", "{name}.png"
    )
    kept = Output.objects.get(method__key="bicubic")
    assert (kept.checksum, kept.origin, kept.psnr) == (
        generated.checksum, "generated", generated.psnr
    )  # fmt: skip

    assert "0 imported, 1 replaced" in run(
        "One", "bicubic", str(folder), "--pattern", "{name}.png", "--replace"
    )
    replaced = Output.objects.get(method__key="bicubic")
    assert replaced.pk == generated.pk
    assert replaced.origin == "imported"
    assert replaced.checksum != generated.checksum
    assert replaced.psnr < generated.psnr  # an unrelated image scores far worse

    # Replacing with identical pixels is a no-op.
    assert "0 replaced, 1 unchanged" in run(
        "One", "bicubic", str(folder), "--pattern", "{name}.png", "--replace"
    )
