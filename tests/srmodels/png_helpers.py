"""PNG files written without holding their pixels: huge images for the pixel-limit tests."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_flat_png(path: Path, width: int, height: int, grey: int = 90) -> Path:
    """An 8-bit RGB PNG of one flat colour, compressed row by row (a 9600x9600 is ~270 KB).

    The rows are streamed through zlib, so making the file never holds the decoded image.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes([grey]) * (3 * width)  # filter type 0, then the RGB samples
    compressor = zlib.compressobj(9)
    pieces = [compressor.compress(row) for _ in range(height)]
    pieces.append(compressor.flush())
    data = b"".join(pieces)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )
    return path
