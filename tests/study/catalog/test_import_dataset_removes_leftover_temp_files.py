"""A killed import_dataset leaves staged ``.tmp-*`` files; the next run removes them."""

from __future__ import annotations

import pytest

from study.catalog.services import import_dataset
from study.catalog.storage import dataset_image_path, output_path, stage
from tests.study.catalog.images import stored_files, write_folder

pytestmark = pytest.mark.django_db


def test_it_removes_the_staged_files_an_interrupted_run_left(tmp_path, media_root):
    write_folder(tmp_path / "hr", {"a": (32, 32), "b": (32, 36)})
    # What a run killed between staging and publishing leaves: complete files under
    # temporary names, written by the same function the import uses.
    for name in (
        dataset_image_path("D", "hr", "a"),
        dataset_image_path("D", "lr", "a"),
        output_path("D", "bicubic", "a"),
        output_path("D", "nearest", "b"),
    ):
        stage(name, b"partial run")
    # A generation worker's staged output is not the import's to remove.
    generation_temp = media_root / "outputs/D/bicubic/.tmp-item7-0123456789ab-b.png"
    generation_temp.write_bytes(b"a worker is writing this")
    assert len([n for n in stored_files(media_root) if "/.tmp-" in n]) == 5

    report = import_dataset(name="D", directory=tmp_path / "hr", scale=4, workers=1)

    assert report.imported == ["a", "b"], report.failed
    assert [n for n in stored_files(media_root) if "/.tmp-" in n] == [
        "outputs/D/bicubic/.tmp-item7-0123456789ab-b.png"
    ]
    assert sorted(n for n in stored_files(media_root) if "/.tmp-" not in n) == sorted(
        f"{folder}/{image}.png"
        for folder in ("datasets/D/hr", "datasets/D/lr", "outputs/D/bicubic", "outputs/D/nearest")
        for image in ("a", "b")
    )
