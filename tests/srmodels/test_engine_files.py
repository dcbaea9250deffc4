"""upscale_files: the pipeline the CLI and the Celery workers use on files."""

from __future__ import annotations

import numpy as np
import pytest

from srmodels.engine import Upscaler
from srmodels.imageio import encode_png, load_image, save_png
from tests.srmodels.engine_helpers import rgb, small_weights


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "lr"
    folder.mkdir()
    paths = []
    for i, shape in enumerate([(12, 10), (10, 12), (12, 10), (9, 7), (12, 10)]):
        path = folder / f"img{i}.png"
        save_png(path, rgb(*shape, seed=i))
        paths.append(path)
    return paths


@pytest.mark.parametrize("method", ["bicubic", "srresnet-mse", "srcnn"])
def test_it_writes_the_same_pixels_as_upscale_under_stem_png(method, inputs, tmp_path):
    weights = None if method == "bicubic" else small_weights(tmp_path, method)
    upscaler = Upscaler(method, weights=weights, batch_size=2, workers=2)
    written = upscaler.upscale_files(inputs, tmp_path / "out", progress=False)
    assert sorted(p.name for p in written) == [f"img{i}.png" for i in range(5)]
    assert upscaler.failures == []
    expected = upscaler.upscale([load_image(p) for p in inputs])
    for path, image in zip(inputs, expected, strict=True):
        np.testing.assert_array_equal(load_image(tmp_path / "out" / path.name), image)


def test_it_reports_bad_files_by_name_and_goes_on(inputs, tmp_path):
    text = inputs[0].with_name("notes.png")
    text.write_text("this is not an image")
    truncated = inputs[0].with_name("cut.png")
    truncated.write_bytes(encode_png(rgb(12, 10))[:60])
    missing = inputs[0].with_name("absent.png")
    upscaler = Upscaler("srresnet-mse", weights=small_weights(tmp_path, "srresnet-mse"))
    files = [text, *inputs[:2], truncated, missing]
    written = upscaler.upscale_files(files, tmp_path / "out", progress=False)
    assert sorted(p.name for p in written) == ["img0.png", "img1.png"]
    failed = {f.path: f.error for f in upscaler.failures}
    assert set(failed) == {text, truncated, missing}
    for path, error in failed.items():
        assert str(path) in error
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["img0.png", "img1.png"]


def test_it_refuses_two_inputs_that_would_write_the_same_file(inputs, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    clash = other / "img0.jpg"
    clash.write_bytes(inputs[0].read_bytes())
    upscaler = Upscaler("nearest")
    written = upscaler.upscale_files([inputs[0], clash], tmp_path / "out", progress=False)
    assert [p.name for p in written] == ["img0.png"]
    assert [f.path for f in upscaler.failures] == [clash]
    assert "same output name" in upscaler.failures[0].error


def test_it_never_overwrites_an_input(inputs):
    upscaler = Upscaler("nearest")
    before = inputs[0].read_bytes()
    written = upscaler.upscale_files([inputs[0]], inputs[0].parent, progress=False)
    assert written == []
    assert "would overwrite the input" in upscaler.failures[0].error
    assert inputs[0].read_bytes() == before


def test_it_handles_more_image_sizes_than_it_holds_in_memory(tmp_path):
    # batch 4 with one worker holds at most 16 decoded images; 6 sizes x 3 images never
    # fill a batch, so the engine must run partial batches as it goes.
    folder = tmp_path / "lr"
    folder.mkdir()
    paths = []
    for i in range(18):
        path = folder / f"im{i:02d}.png"
        save_png(path, rgb(6 + i % 6, 5, seed=i))
        paths.append(path)
    upscaler = Upscaler("srcnn", weights=small_weights(tmp_path, "srcnn"), batch_size=4, workers=1)
    written = upscaler.upscale_files(paths, tmp_path / "out", progress=False)
    assert len(written) == 18
    expected = upscaler.upscale([load_image(p) for p in paths])
    for path, image in zip(paths, expected, strict=True):
        np.testing.assert_array_equal(load_image(tmp_path / "out" / path.name), image)
