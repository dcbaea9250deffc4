"""Helpers the protocol commands share: writing to a file or stdout."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from django.core.management.base import CommandError


@contextlib.contextmanager
def output_file(path: str | None, stdout: TextIO) -> Iterator[TextIO]:
    """Write to ``path`` atomically (temporary file, then rename), or to stdout for None/'-'."""
    if path in (None, "-"):
        yield stdout
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise CommandError(f"{target.parent}: no such folder")
    descriptor, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
            yield handle
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def stdout_of(command) -> TextIO:
    # OutputWrapper adds a newline per write(); CSV needs the raw stream.
    return getattr(command.stdout, "_out", sys.stdout)
