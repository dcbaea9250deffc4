"""Unreadable files raise ImageError naming the file, never a raw Pillow/zlib error."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from srmodels.imageio import ImageError, decode_image, is_greyscale_file, load_image


def _png(size=(64, 48)) -> bytes:
    noise = np.random.default_rng(0).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello, I am text\n", "not an image file"),
        (b"", "the file is empty"),
        (_png()[:2000], "cannot decode the image"),  # cut inside the pixel data
        (_png()[:40], "cannot decode the image"),  # cut inside the header
    ],
    ids=["text", "empty", "truncated-data", "truncated-header"],
)
def test_it_names_the_file_that_cannot_be_decoded(tmp_path, content, message):
    path = tmp_path / "photo.png"
    path.write_bytes(content)
    with pytest.raises(ImageError, match=message) as caught:
        load_image(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_it_rejects_a_png_with_a_corrupt_checksum():
    data = bytearray(_png())
    data[40] ^= 0xFF  # inside the first IDAT chunk
    with pytest.raises(ImageError, match=r"broken\.png"):
        decode_image(bytes(data), name="broken.png")


def test_it_names_missing_files_and_directories(tmp_path):
    with pytest.raises(ImageError, match=r"missing\.png: cannot read the file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(ImageError, match="is a directory"):
        load_image(tmp_path)
    with pytest.raises(ImageError, match=r"missing\.png"):
        is_greyscale_file(tmp_path / "missing.png")


def test_it_is_a_value_error_for_callers_that_catch_those():
    with pytest.raises(ValueError, match=r"x\.png"):
        decode_image(b"GIF", name="x.png")


def test_it_refuses_decompression_bombs_by_name(monkeypatch):
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100)).save(buffer, format="PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow refuses above twice this
    with pytest.raises(ImageError, match=r"bomb\.png: refused, too many pixels"):
        decode_image(buffer.getvalue(), name="bomb.png")
