"""Helpers for the numerics tests: raw PNG writing (16-bit images Pillow cannot write),
the shared benchmark files, and the CLI entry point."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from srmodels import cli
from tests.services import require_datasets

COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type (grey, LA, RGB, RGBA)


def raw_png(array: np.ndarray, *, depth: int = 16) -> bytes:
    """A valid, unfiltered PNG of ``array`` (HxW or HxWxC), written without Pillow."""
    array = np.asarray(array)
    channels = 1 if array.ndim == 2 else array.shape[2]
    height, width = array.shape[:2]

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    dtype = ">u2" if depth == 16 else "u1"
    rows = array.reshape(height, width * channels).astype(dtype)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)
    header = struct.pack(">IIBBBBB", width, height, depth, COLOR_TYPES[channels], 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def benchmark_pairs(dataset: str) -> Iterator[tuple[str, Path, Path]]:
    """(name, HR path, LR path) of a benchmark's x4 images; skips when data are absent."""
    folder = require_datasets("benchmarks", dataset, "x4")
    for hr in sorted(folder.glob("*_HR.png")):
        yield hr.name.removesuffix("_HR.png"), hr, hr.with_name(hr.name.replace("_HR", "_LR"))


def run_cli(argv: list[str]) -> int:
    """The real ``python -m srmodels`` entry point, in process (so capsys sees its output)."""
    return cli.main(argv)
