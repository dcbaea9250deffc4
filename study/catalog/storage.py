"""Writing images through Django's default storage without ever exposing a partial file.

Every image is first written complete under a hidden temporary name in the same
folder, then moved to its final name. On the file system the move is
``os.replace`` (atomic); on storages without a path (object stores) an upload is
itself all-or-nothing, so the final object is written in one ``save``. A process
killed mid-write can leave a ``.tmp-*`` file behind, never a truncated image; the
next import of the same dataset removes it (:func:`remove_leftovers`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

TEMP_PREFIX = ".tmp-"
# The names stage() writes: the prefix, 32 hex digits, "-", the final name. Generation
# stages its own (".tmp-item<id>-...") and cleans them up itself; they never match.
_STAGED_NAME = re.compile(rf"{re.escape(TEMP_PREFIX)}[0-9a-f]{{32}}-")


def dataset_image_path(dataset: str, kind: str, image: str) -> str:
    """``datasets/<dataset>/<hr|lr>/<image>.png``: where import_dataset stores HR and LR."""
    return f"datasets/{dataset}/{kind}/{image}.png"


def output_path(dataset: str, method: str, image: str) -> str:
    """``outputs/<dataset>/<method>/<image>.png``: where every method's output lives."""
    return f"outputs/{dataset}/{method}/{image}.png"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(name: str, storage: Storage | None = None) -> bytes:
    storage = storage or default_storage
    with storage.open(name, "rb") as handle:
        return handle.read()


def _local_path(storage: Storage, name: str) -> str | None:
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


@dataclass
class StagedFile:
    """A complete file under a temporary name, waiting to be moved to ``name``."""

    name: str
    temp: str
    storage: Storage
    existed: bool = False
    published: bool = False

    def publish(self) -> None:
        """Move the temporary file to its final name (replacing what was there)."""
        source = _local_path(self.storage, self.temp)
        target = _local_path(self.storage, self.name)
        if source is not None and target is not None:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(source, target)
        else:
            data = read_bytes(self.temp, self.storage)
            if self.storage.exists(self.name):
                self.storage.delete(self.name)
            saved = self.storage.save(self.name, ContentFile(data))
            if saved != self.name:
                # Another writer created the name between delete and save.
                self.storage.delete(saved)
                raise OSError(f"could not store {self.name}: the name was taken concurrently")
            self.storage.delete(self.temp)
        self.published = True

    def discard(self) -> None:
        """Remove what this staging left: the temporary file, or a file it newly published."""
        with contextlib.suppress(Exception):
            if not self.published:
                self.storage.delete(self.temp)
            elif not self.existed:
                self.storage.delete(self.name)


def stage(name: str, data: bytes, storage: Storage | None = None) -> StagedFile:
    """Write ``data`` completely under a temporary name next to ``name``."""
    storage = storage or default_storage
    folder, base = posixpath.split(name)
    temp = posixpath.join(folder, f"{TEMP_PREFIX}{uuid.uuid4().hex}-{base}")
    # save() may rename on a collision; the returned name is the one written.
    temp = storage.save(temp, ContentFile(data))
    return StagedFile(name=name, temp=temp, storage=storage, existed=storage.exists(name))


def remove_leftovers(folders: Iterable[str], storage: Storage | None = None) -> list[str]:
    """Delete the staged files that interrupted writers left in ``folders``; their names.

    A staged file lives only while its image is stored (one transaction), so one found
    when an import starts was left by an earlier run that was killed. (An import of the
    same dataset running at the same moment would lose its image in flight: that image
    fails with an error naming it and is stored by the next run.)
    """
    storage = storage or default_storage
    removed: list[str] = []
    for folder in folders:
        try:
            _dirs, files = storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            continue
        for base in files:
            if _STAGED_NAME.match(base):
                name = posixpath.join(folder, base)
                with contextlib.suppress(FileNotFoundError):
                    storage.delete(name)
                    removed.append(name)
    return removed


@dataclass
class StagedGroup:
    """Files that become visible together, inside the caller's database transaction.

    Use as ``with StagedGroup() as files: files.add(...); <DB writes>; files.publish()``;
    the last step of the transaction publishes. On an exception every staged file is
    removed again (and files this group published that did not exist before), so a
    failed image leaves neither rows nor files.
    """

    storage: Storage = field(default_factory=lambda: default_storage)
    files: list[StagedFile] = field(default_factory=list)

    def add(self, name: str, data: bytes) -> StagedFile:
        staged = stage(name, data, self.storage)
        self.files.append(staged)
        return staged

    def publish(self) -> None:
        for staged in self.files:
            staged.publish()

    def discard(self, files: Iterable[StagedFile] | None = None) -> None:
        for staged in files if files is not None else self.files:
            staged.discard()

    def __enter__(self) -> StagedGroup:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()
