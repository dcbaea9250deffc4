"""save_png writes complete files or nothing, through a temporary name."""

from __future__ import annotations

import os

import numpy as np
import pytest

from srmodels.imageio import ImageError, encode_png, load_image, save_png


def _image() -> np.ndarray:
    """A smooth gradient with some noise: compressible, so levels give different sizes."""
    gradient = np.add.outer(np.arange(30), np.arange(40))[..., None] * [3, 2, 1]
    noise = np.random.default_rng(0).integers(0, 4, (30, 40, 3))
    return (gradient + noise).astype(np.uint8)


def test_it_round_trips_pixels_at_every_compression_level(tmp_path):
    image = _image()
    sizes = []
    for level in (0, 1, 6, 9):
        path = tmp_path / f"level{level}.png"
        save_png(path, image, compress_level=level)
        assert np.array_equal(load_image(path), image)
        sizes.append(path.stat().st_size)
    assert sizes[0] > sizes[-1]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "level0.png", "level1.png", "level6.png", "level9.png"
    ]  # fmt: skip


def test_it_gives_new_files_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        save_png(tmp_path / "a.png", _image())
    finally:
        os.umask(old)
    assert (tmp_path / "a.png").stat().st_mode & 0o777 == 0o644


def test_it_leaves_the_previous_file_intact_when_encoding_fails(tmp_path):
    path = tmp_path / "out.png"
    save_png(path, _image())
    before = path.read_bytes()
    with pytest.raises(ValueError, match="uint8"):
        save_png(path, _image().astype(np.float32))
    with pytest.raises(ValueError, match="HxWx3"):
        save_png(path, _image()[..., 0])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def test_it_removes_its_temporary_file_when_the_rename_fails(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # os.replace cannot put a file over a directory
    (target / "keep").write_text("x")
    with pytest.raises(ImageError, match="taken: cannot write the file"):
        save_png(target, _image())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_it_names_an_unwritable_destination(tmp_path):
    with pytest.raises(ImageError, match=r"nowhere/x\.png: cannot write"):
        save_png(tmp_path / "nowhere" / "x.png", _image())


def test_it_rejects_bad_compression_levels():
    with pytest.raises(ValueError, match=r"0\.\.9"):
        encode_png(_image(), compress_level=10)
