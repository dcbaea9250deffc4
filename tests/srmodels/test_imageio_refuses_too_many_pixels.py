"""``max_pixels`` refuses an image from its header, before decoding a pixel."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from srmodels.imageio import ImageTooLargeError, decode_image, load_image
from tests.srmodels.png_helpers import write_flat_png


# Pillow warns on opening more than 89 megapixels; refusing the file is the point here.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_it_refuses_a_huge_png_without_decoding_it(tmp_path):
    path = write_flat_png(tmp_path / "huge.png", 9600, 9600)
    assert path.stat().st_size < 400_000  # 276 MB of pixels once decoded

    tracemalloc.start()
    try:
        with pytest.raises(ImageTooLargeError) as error:
            load_image(path, max_pixels=64_000_000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert str(error.value) == (
        f"{path}: 9600x9600 is 92,160,000 pixels, more than the limit of 64,000,000"
    )
    assert peak < 5_000_000  # the file's bytes and a header, never the pixels


def test_it_decodes_an_image_at_the_limit(tmp_path):
    path = write_flat_png(tmp_path / "small.png", 40, 25, grey=7)
    image = load_image(path, max_pixels=1000)
    assert image.shape == (25, 40, 3)
    assert np.all(image == 7)
    with pytest.raises(ImageTooLargeError, match=r"small.png: 40x25 is 1,000 pixels.*of 999$"):
        decode_image(path.read_bytes(), name=str(path), max_pixels=999)
