"""python -m srmodels downscale: modcrop + MATLAB bicubic, bad files reported by name."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from PIL import Image

from srmodels.imageio import load_image, save_png
from tests.services import ROOT
from tests.srmodels.numerics_helpers import benchmark_pairs, raw_png, run_cli


def test_it_reproduces_the_published_lr_images(tmp_path, capsys):
    pairs = list(benchmark_pairs("Set14"))
    out = tmp_path / "lr"
    status = run_cli(["downscale", "--scale", "4", "--out", str(out)] + [str(p[1]) for p in pairs])
    assert status == 0
    assert "wrote 14 of 14 images" in capsys.readouterr().err
    for _, hr_path, lr_path in pairs:
        made = load_image(out / f"{hr_path.stem}.png")
        assert np.array_equal(made, load_image(lr_path)), hr_path.name


def test_it_crops_to_a_multiple_of_the_scale_first(tmp_path):
    image = np.random.default_rng(0).integers(0, 256, (50, 43, 3), dtype=np.uint8)
    save_png(tmp_path / "odd.png", image)
    assert (
        run_cli(
            ["downscale", "--scale", "4", "--out", str(tmp_path / "o"), str(tmp_path / "odd.png")]
        )
        == 0
    )
    assert load_image(tmp_path / "o" / "odd.png").shape == (12, 10, 3)


def test_it_reports_bad_files_by_name_and_still_converts_the_others(tmp_path, capsys):
    good = np.random.default_rng(1).integers(0, 256, (16, 12, 3), dtype=np.uint8)
    src = tmp_path / "src"
    src.mkdir()
    save_png(src / "good.png", good)
    (src / "text.png").write_text("not a picture")
    (src / "empty.png").write_bytes(b"")
    (src / "cut.png").write_bytes((src / "good.png").read_bytes()[:60])
    save_png(src / "tiny.png", good[:3, :3])
    names = ["good", "text", "empty", "cut", "tiny", "missing"]
    out = tmp_path / "out"
    status = run_cli(
        ["downscale", "--scale", "4", "--out", str(out)] + [str(src / f"{n}.png") for n in names]
    )
    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err
    for name in names[1:]:
        assert f"error: {src / name}.png: " in err
    assert "image of 3x3 pixels is smaller than the scale 4" in err
    assert "wrote 1 of 6 images" in err
    assert [p.name for p in out.iterdir()] == ["good.png"]  # nothing half-written


def test_it_converts_greyscale_rgba_and_16_bit_inputs(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    Image.new("L", (8, 8), 90).save(src / "grey.png")
    Image.new("RGBA", (8, 8), (10, 20, 30, 0)).save(src / "rgba.png")
    (src / "deep.png").write_bytes(raw_png(np.full((8, 8, 3), 65535, np.uint16)))
    out = tmp_path / "out"
    files = [str(src / n) for n in ("grey.png", "rgba.png", "deep.png")]
    assert run_cli(["downscale", "--scale", "2", "--out", str(out), *files]) == 0
    assert np.all(load_image(out / "grey.png") == 90)
    assert np.all(load_image(out / "rgba.png") == [10, 20, 30])
    assert np.all(load_image(out / "deep.png") == 255)
    with Image.open(out / "deep.png") as written:
        assert (written.mode, written.size) == ("RGB", (4, 4))


def test_it_refuses_to_overwrite_an_input_or_an_earlier_output(tmp_path, capsys):
    image = np.zeros((8, 8, 3), np.uint8)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        save_png(tmp_path / folder / "x.png", image)
    first, second = str(tmp_path / "a" / "x.png"), str(tmp_path / "b" / "x.png")
    out = tmp_path / "out"
    assert run_cli(["downscale", "--scale", "2", "--out", str(out), first, second]) == 1
    assert f"error: {second}: same output name as {first}" in capsys.readouterr().err
    assert load_image(out / "x.png").shape == (4, 4, 3)
    # Writing next to the inputs would replace them: refused, the input stays as it was.
    assert run_cli(["downscale", "--scale", "2", "--out", str(tmp_path / "b"), first, second]) == 1
    err = capsys.readouterr().err
    assert f"the output {tmp_path / 'b' / 'x.png'} would overwrite the input {second}" in err
    assert load_image(second).shape == (8, 8, 3)


def test_it_rejects_bad_options_with_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert run_cli(["downscale", "--scale", "0", "--out", str(tmp_path), "x.png"]) == 2
    assert capsys.readouterr().err == "error: --scale must be a positive integer, got 0\n"
    assert run_cli(["downscale", "--scale", "4", "--out", str(tmp_path / "file"), "x.png"]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_it_reports_bad_input_without_a_traceback_from_the_real_entry_point(tmp_path):
    (tmp_path / "notes.png").write_text("a text file named .png")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "srmodels",
            "downscale",
            "--scale",
            "4",
            "--out",
            str(tmp_path / "o"),
            str(tmp_path / "notes.png"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"error: {tmp_path / 'notes.png'}: not an image file" in result.stderr
