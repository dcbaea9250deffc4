from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from study.catalog.models import Dataset
from study.catalog.storage import StagedGroup, read_bytes
from tests.study.catalog.images import stored_files

pytestmark = pytest.mark.django_db


def test_it_publishes_complete_files_only_when_the_transaction_step_runs(media_root):
    with StagedGroup() as files:
        files.add("outputs/D/m/a.png", b"new bytes")
        # Before publishing, only a hidden temporary file exists.
        assert not default_storage.exists("outputs/D/m/a.png")
        assert [n.split("/")[-1].startswith(".tmp-") for n in stored_files(media_root)] == [True]
        files.publish()
    assert stored_files(media_root) == ["outputs/D/m/a.png"]
    assert read_bytes("outputs/D/m/a.png") == b"new bytes"


def test_it_removes_its_files_and_rows_when_the_step_fails(media_root):
    def import_one_image() -> None:
        with StagedGroup() as files:
            files.add("datasets/D/hr/a.png", b"hr")
            files.add("datasets/D/lr/a.png", b"lr")
            with transaction.atomic():
                Dataset.objects.create(name="D", scale=4)
                files.publish()
                raise RuntimeError("the database refused the row")

    with pytest.raises(RuntimeError):
        import_one_image()

    assert not Dataset.objects.exists()
    assert stored_files(media_root) == []


def test_it_replaces_an_existing_file_in_one_move(media_root):
    default_storage.save("outputs/D/m/a.png", ContentFile(b"old"))
    with StagedGroup() as files:
        files.add("outputs/D/m/a.png", b"new")
        assert read_bytes("outputs/D/m/a.png") == b"old"
        files.publish()
    # storage.save would have renamed on the collision; the move keeps the name.
    assert stored_files(media_root) == ["outputs/D/m/a.png"]
    assert read_bytes("outputs/D/m/a.png") == b"new"
