"""``python -m srmodels upscale`` as users run it: files in, <stem>.png out, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from srmodels.cli import main
from srmodels.imageio import encode_png, load_image, save_png
from srmodels.registry import list_methods
from srmodels.resize import imresize
from tests.srmodels.engine_helpers import rgb, small_weights


@pytest.fixture
def lr_dir(tmp_path):
    folder = tmp_path / "lr"
    folder.mkdir()
    for i in range(3):
        save_png(folder / f"img{i}.png", rgb(12, 10, seed=i))
    return folder


def test_it_upscales_files_with_bicubic(lr_dir, tmp_path, capsys):
    files = sorted(lr_dir.iterdir())
    code = main(["upscale", "--method", "bicubic", "--scale", "3", "--out", str(tmp_path / "o")]
                + [str(p) for p in files])  # fmt: skip
    assert code == 0
    for path in files:
        np.testing.assert_array_equal(
            load_image(tmp_path / "o" / path.name), imresize(load_image(path), 3)
        )
    assert "wrote 3 of 3 images" in capsys.readouterr().err


def test_it_takes_a_directory_and_explicit_weights(lr_dir, tmp_path):
    weights = small_weights(tmp_path / "w", "srresnet-mse")
    out = tmp_path / "o"
    code = main(["upscale", "--method", "srresnet-mse", "--weights", str(weights),
                 "--out", str(out), "--batch-size", "2", "--tile", "10", "--tile-overlap", "2",
                 "--device", "cpu", str(lr_dir)])  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["img0.png", "img1.png", "img2.png"]
    assert load_image(out / "img0.png").shape == (48, 40, 3)


def test_it_names_bad_files_without_a_traceback(lr_dir, tmp_path, capsys):
    text = tmp_path / "readme.png"
    text.write_text("hello")
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(encode_png(rgb(12, 10))[:70])
    code = main(["upscale", "--method", "nearest", "--out", str(tmp_path / "o"),
                 str(text), str(lr_dir / "img0.png"), str(truncated)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert f"error: {text}" in err
    assert f"error: {truncated}" in err
    assert "wrote 1 of 3 images" in err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["img0.png"]


def test_it_lists_the_methods_for_an_unknown_one(lr_dir, tmp_path, capsys):
    code = main(["upscale", "--method", "esrgan", "--out", str(tmp_path / "o"), str(lr_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown method 'esrgan'" in err
    assert "srgan-vgg54" in err
    assert not (tmp_path / "o").exists()


def test_it_explains_missing_weights(lr_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SRMODELS_WEIGHTS_DIR", str(tmp_path / "empty"))
    missing = [s.spec.key for s in list_methods() if not s.available]
    if not missing:
        pytest.skip("every method has shipped weights")
    key = missing[-1]
    code = main(["upscale", "--method", key, "--out", str(tmp_path / "o"), str(lr_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"no weights for method '{key}'" in err
    assert f"python -m srmodels train --recipe {key}" in err
    assert "Traceback" not in err


def test_it_explains_weights_of_the_wrong_method(lr_dir, tmp_path, capsys):
    weights = small_weights(tmp_path / "w", "srcnn")
    code = main(["upscale", "--method", "srresnet-mse", "--weights", str(weights),
                 "--out", str(tmp_path / "o"), str(lr_dir)])  # fmt: skip
    assert code == 2
    assert "holds method 'srcnn'" in capsys.readouterr().err


def test_it_refuses_an_output_path_that_is_a_file(lr_dir, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["upscale", "--method", "bicubic", "--out", str(blocker), str(lr_dir)])
    assert code == 2
    assert "is not a directory" in capsys.readouterr().err


def test_it_converts_greyscale_rgba_and_16_bit_inputs(tmp_path, capsys):
    from PIL import Image

    folder = tmp_path / "odd"
    folder.mkdir()
    Image.fromarray(rgb(8, 6)[..., 0], "L").save(folder / "grey.png")
    Image.fromarray(np.dstack([rgb(8, 6), np.full((8, 6), 7, np.uint8)]), "RGBA").save(
        folder / "alpha.png"
    )
    Image.fromarray(rgb(8, 6)[..., 0].astype(np.uint16) * 257).save(folder / "deep.png")
    code = main(["upscale", "--method", "bicubic", "--out", str(tmp_path / "o"), str(folder)])
    assert code == 0, capsys.readouterr().err
    for name in ("grey", "alpha", "deep"):
        out = load_image(tmp_path / "o" / f"{name}.png")
        assert out.shape == (32, 24, 3)
    grey = load_image(tmp_path / "o" / "grey.png")
    np.testing.assert_array_equal(grey[..., 0], grey[..., 2])
