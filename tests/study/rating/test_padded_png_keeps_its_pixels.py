"""The padding chunk: exact length, valid PNG (CRCs checked), the same pixels, random bytes."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from study.rating.images import CHUNK_OVERHEAD, PAD_TYPE, padded_png
from tests.study.rating.factories import png_bytes


def test_it_pads_to_the_exact_length_and_keeps_the_pixels():
    data = png_bytes(40, 30, seed=3)
    for extra in (CHUNK_OVERHEAD, CHUNK_OVERHEAD + 1, CHUNK_OVERHEAD + 100_000):
        padded = padded_png(data, length=len(data) + extra)
        assert len(padded) == len(data) + extra
        assert padded.endswith(b"IEND\xaeB`\x82")  # the chunk goes before IEND
        Image.open(io.BytesIO(padded)).verify()  # chunk structure and CRCs
        decoded = np.asarray(Image.open(io.BytesIO(padded)).convert("RGB"))
        assert (decoded == np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))).all()
        at = padded.index(PAD_TYPE) - 4
        (size,) = struct.unpack(">I", padded[at : at + 4])
        body = padded[at + 8 : at + 8 + size]
        (crc,) = struct.unpack(">I", padded[at + 8 + size : at + 12 + size])
        assert size == extra - CHUNK_OVERHEAD
        assert crc == zlib.crc32(PAD_TYPE + body)


def test_it_pads_with_random_bytes_and_refuses_a_length_too_short():
    data = png_bytes(16, 16, seed=1)
    assert padded_png(data, length=len(data) + 64) != padded_png(data, length=len(data) + 64)
    with pytest.raises(ValueError, match="cannot be served in"):
        padded_png(data, length=len(data) + CHUNK_OVERHEAD - 1)
