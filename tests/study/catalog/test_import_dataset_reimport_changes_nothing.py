from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from study.catalog.models import Output, SourceImage
from tests.study.catalog.images import stored_files, write_folder

pytestmark = pytest.mark.django_db


def snapshot(media_root):
    rows = list(Output.objects.order_by("id").values_list("id", "file", "checksum", "created_at"))
    images = list(SourceImage.objects.order_by("id").values_list("id", "checksum"))
    mtimes = {name: (media_root / name).stat().st_mtime_ns for name in stored_files(media_root)}
    return rows, images, mtimes


def test_it_changes_nothing_when_the_same_folder_is_imported_again(tmp_path, media_root):
    folder = tmp_path / "src"
    write_folder(folder, {"a": (32, 32), "b": (36, 28), "c": (40, 44), "d": (24, 24)})
    args = ["import_dataset", "Again", str(folder), "--scale", "4"]
    call_command(*args, stdout=StringIO(), stderr=StringIO())
    before = snapshot(media_root)

    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())

    assert "Again: 0 imported, 0 replaced, 4 unchanged, 0 failed" in out.getvalue()
    assert snapshot(media_root) == before
    assert len(before[0]) == 12  # 4 images x (nearest, bicubic, hr)
