"""load_image / decode_image return uint8 HxWx3 RGB with the documented conversions."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from srmodels.imageio import decode_image, is_greyscale_file, load_image
from tests.srmodels.numerics_helpers import raw_png

# 16-bit values where rounding v / 257 and keeping the high byte (v >> 8) disagree.
WIDE = np.array([0, 128, 129, 200, 383, 32767, 32896, 65279, 65535], dtype=np.uint16)
ROUNDED = np.array([0, 0, 1, 1, 1, 127, 128, 254, 255], dtype=np.uint8)


def _encode(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def test_it_returns_rgb_pngs_unchanged(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    path = tmp_path / "rgb.png"
    path.write_bytes(_encode(Image.fromarray(rgb)))
    out = load_image(path)
    assert out.dtype == np.uint8
    assert out.flags.writeable
    assert np.array_equal(out, rgb)


def test_it_replicates_greyscale_into_three_channels(tmp_path):
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    path = tmp_path / "grey.png"
    path.write_bytes(_encode(Image.fromarray(grey, "L")))
    out = load_image(path)
    assert out.shape == (3, 4, 3)
    assert all(np.array_equal(out[..., c], grey) for c in range(3))
    assert is_greyscale_file(path)
    bits = decode_image(_encode(Image.fromarray(grey > 100)), name="bits.png")
    assert np.array_equal(bits[..., 0], np.where(grey > 100, 255, 0))


def test_it_drops_alpha_without_compositing():
    rgba = np.zeros((2, 3, 4), dtype=np.uint8)
    rgba[..., :3] = [[[10, 20, 30]]]
    rgba[0, 0, 3] = 0  # fully transparent: the stored colour is kept anyway
    rgba[1, :, 3] = 128
    out = decode_image(_encode(Image.fromarray(rgba, "RGBA")), name="a.png")
    assert np.array_equal(out, np.broadcast_to([10, 20, 30], (2, 3, 3)))
    la = np.stack([np.full((2, 2), 77, np.uint8), np.zeros((2, 2), np.uint8)], axis=2)
    assert np.all(decode_image(_encode(Image.fromarray(la, "LA")), name="la.png") == 77)


def test_it_expands_palette_images_through_their_palette():
    rgb = np.array([[[255, 0, 0], [0, 0, 255]], [[0, 255, 0], [255, 0, 0]]], dtype=np.uint8)
    palette = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=3)
    data = _encode(palette, transparency=0)
    assert np.array_equal(decode_image(data, name="p.png"), rgb)
    assert np.array_equal(decode_image(_encode(palette, "GIF"), name="p.gif"), rgb)


def test_it_rounds_16_bit_samples_to_8_bits():
    grey16 = WIDE.reshape(1, -1)
    out = decode_image(raw_png(grey16), name="grey16.png")
    assert np.array_equal(out[0, :, 0], ROUNDED)
    rgb16 = np.stack([WIDE, WIDE[::-1], np.full_like(WIDE, 257)], axis=1)[None]
    out = decode_image(raw_png(rgb16), name="rgb16.png")
    assert np.array_equal(out[0], np.stack([ROUNDED, ROUNDED[::-1], np.ones_like(ROUNDED)], 1))
    rgba16 = np.concatenate([rgb16, np.zeros_like(rgb16[..., :1])], axis=2)
    assert np.array_equal(decode_image(raw_png(rgba16), name="rgba16.png"), out)
    la16 = np.stack([WIDE, np.full_like(WIDE, 65535)], axis=1)[None]
    assert np.array_equal(decode_image(raw_png(la16), name="la16.png")[0, :, 2], ROUNDED)


def test_it_reads_bmp_and_jpeg(tmp_path):
    rgb = np.full((8, 8, 3), [200, 100, 50], dtype=np.uint8)
    assert np.array_equal(decode_image(_encode(Image.fromarray(rgb), "BMP"), name="x.bmp"), rgb)
    jpeg = decode_image(_encode(Image.fromarray(rgb), "JPEG", quality=95), name="x.jpg")
    assert np.abs(jpeg.astype(int) - rgb).max() <= 3


def test_it_tells_greyscale_files_from_rgb_ones(tmp_path):
    files = {
        "rgb.png": _encode(Image.new("RGB", (2, 2))),
        "grey-as-rgb.png": _encode(Image.new("RGB", (2, 2), (9, 9, 9))),
        "la16.png": raw_png(np.zeros((2, 2, 2), np.uint16)),
        "grey16.png": raw_png(np.zeros((2, 2), np.uint16)),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    found = {name: is_greyscale_file(tmp_path / name) for name in files}
    assert found == {
        "rgb.png": False,
        "grey-as-rgb.png": False,
        "la16.png": True,
        "grey16.png": True,
    }


def test_it_loads_the_shared_greyscale_benchmark_image():
    from tests.services import require_datasets

    path = require_datasets("benchmarks", "Set14", "x4") / "img_003_SRF_4_HR.png"
    image = load_image(path)
    assert image.shape == (512, 512, 3)
    assert np.array_equal(image[..., 0], np.asarray(Image.open(path)))


@pytest.mark.parametrize("mode", ["CMYK", "I;16", "RGBX"])
def test_it_converts_other_pillow_modes_to_rgb(mode):
    image = Image.new("RGB", (3, 2), (255, 0, 0)).convert(mode)
    fmt = "TIFF" if mode in ("CMYK", "RGBX") else "PNG"
    out = decode_image(_encode(image, fmt), name=f"x.{fmt.lower()}")
    assert out.shape == (2, 3, 3)
    assert out.dtype == np.uint8
