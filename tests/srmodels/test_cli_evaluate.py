"""python -m srmodels evaluate: pairs files by pattern, prints per-image and mean metrics."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from srmodels.imageio import load_image, save_png
from srmodels.resize import imresize
from tests.services import require_datasets
from tests.srmodels.numerics_helpers import benchmark_pairs, run_cli

HUANG = ["--hr-pattern", "{name}_SRF_4_HR.png", "--sr-pattern", "{name}_SRF_4_bicubic.png"]


def _set5_args() -> list[str]:
    hr = require_datasets("benchmarks", "Set5", "x4")
    sr = require_datasets("outputs", "Set5", "x4")
    return ["evaluate", "--hr", str(hr), "--sr", str(sr), "--scale", "4", *HUANG]


def test_it_prints_a_table_of_the_published_set5_bicubic_figures(capsys):
    assert run_cli(_set5_args()) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["name", "psnr", "ssim", "ssim_daala"]
    assert [line.split()[0] for line in lines[1:6]] == [f"img_00{i}" for i in range(1, 6)]
    assert lines[-1].split() == ["mean", "(5", "images)", "28.4177", "0.8101", "0.8201"]
    assert "evaluated 5 image(s) at scale 4" in err


def test_it_prints_json(capsys):
    assert run_cli([*_set5_args(), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in document["images"]] == [f"img_00{i}" for i in range(1, 6)]
    assert set(document["images"][0]) == {"name", "psnr", "ssim", "ssim_daala"}
    mean = document["mean"]
    assert mean["psnr"] == pytest.approx(28.418, abs=0.005)
    assert mean["ssim"] == pytest.approx(0.810, abs=0.002)
    assert mean["ssim_daala"] == pytest.approx(0.820, abs=0.002)
    assert document["skipped"] == []


def _noisy(image: np.ndarray, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).integers(-8, 9, image.shape)
    return np.clip(image.astype(int) + noise, 0, 255).astype(np.uint8)


@pytest.fixture
def folders(tmp_path):
    """hr/ and sr/ with one good pair and one example of each problem."""
    hr, sr = tmp_path / "hr", tmp_path / "sr"
    hr.mkdir()
    sr.mkdir()
    image = np.random.default_rng(0).integers(0, 256, (40, 48, 3), dtype=np.uint8)
    save_png(hr / "good.png", image)
    save_png(sr / "good.png", _noisy(image, 1))
    save_png(hr / "resized.png", image)
    save_png(sr / "resized.png", image[:36])
    save_png(hr / "only-hr.png", image)
    save_png(sr / "only-sr.png", image)
    save_png(hr / "broken.png", image)
    (sr / "broken.png").write_text("this is text, not a PNG")
    save_png(hr / "tiny.png", image[:6, :6])
    save_png(sr / "tiny.png", image[:6, :6])
    (sr / ".good.png.tmp-1234").write_bytes(b"")  # another process's temporary file
    return hr, sr


def test_it_reports_what_it_skipped_by_name(folders, capsys):
    hr, sr = folders
    status = run_cli(["evaluate", "--hr", str(hr), "--sr", str(sr), "--scale", "4", "--json"])
    out, err = capsys.readouterr()
    assert status == 0
    document = json.loads(out)
    assert [row["name"] for row in document["images"]] == ["good"]
    reasons = {row["name"]: row["reason"] for row in document["skipped"]}
    assert set(reasons) == {"resized", "only-hr", "only-sr", "broken", "tiny"}
    assert reasons["resized"].startswith("image sizes differ: SR is 48x36, HR is 48x40")
    assert reasons["only-hr"] == f"no SR image {sr / 'only-hr.png'}"
    assert reasons["only-sr"] == f"no HR image {hr / 'only-sr.png'}"
    assert reasons["broken"].startswith(f"{sr / 'broken.png'}: not an image file")
    assert "too small for a border of 4" in reasons["tiny"]
    for name in reasons:
        assert f"skipped {name}: " in err
    assert "Traceback" not in err
    assert run_cli(["evaluate", "--hr", str(hr), "--sr", str(sr), "--scale", "4", "--strict"]) == 1


def test_it_fails_when_nothing_can_be_evaluated(folders, capsys):
    hr, sr = folders
    (sr / "good.png").unlink()
    assert run_cli(["evaluate", "--hr", str(hr), "--sr", str(sr), "--scale", "4"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "error: no image could be evaluated" in err


def test_it_writes_infinite_psnr_as_null_in_json(tmp_path, capsys):
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    save_png(tmp_path / "x.png", image)
    args = ["evaluate", "--hr", str(tmp_path), "--sr", str(tmp_path), "--scale", "2"]
    assert run_cli([*args, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["mean"] == {"psnr": None, "ssim": 1.0, "ssim_daala": 1.0}
    assert run_cli(args) == 0
    assert capsys.readouterr().out.splitlines()[-1].split()[3:] == ["inf", "1.0000", "1.0000"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--hr-pattern", "HR.png"], "--hr-pattern 'HR.png' must contain the placeholder {name}"),
        (["--sr-pattern", "x/{name}.png"], "must be a file name, without directories"),
        (["--hr-pattern", "{name}.bmp"], "no file in"),
        (["--scale", "0"], "--scale must be a positive integer"),
    ],
)
def test_it_rejects_bad_options_with_one_line(tmp_path, capsys, options, message):
    save_png(tmp_path / "x.png", np.zeros((16, 16, 3), np.uint8))
    args = ["evaluate", "--hr", str(tmp_path), "--sr", str(tmp_path), "--scale", "4"]
    assert run_cli(args + options) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err
    assert err.count("\n") == 1


def test_it_compares_greyscale_files_in_full_range_on_request(tmp_path, capsys):
    # Set14 bicubic: 26.087 dB with Y for every image, Huang et al.'s 25.993 dB when the
    # greyscale "bridge" is compared on its grey values.
    sr = tmp_path / "sr"
    sr.mkdir()
    hr = None
    for name, hr_path, lr_path in benchmark_pairs("Set14"):
        save_png(sr / f"{name}.png", imresize(load_image(lr_path), 4))
        hr = hr_path.parent
    args = ["evaluate", "--hr", str(hr), "--sr", str(sr), "--scale", "4", "--json"]
    args += ["--hr-pattern", "{name}_HR.png"]
    assert run_cli(args) == 0
    assert json.loads(capsys.readouterr().out)["mean"]["psnr"] == pytest.approx(26.0874, abs=1e-4)
    assert run_cli([*args, "--grey-full-range"]) == 0
    assert json.loads(capsys.readouterr().out)["mean"]["psnr"] == pytest.approx(25.993, abs=1e-3)


def test_it_reads_greyscale_and_rgba_sr_images(tmp_path, capsys):
    hr, sr = tmp_path / "hr", tmp_path / "sr"
    hr.mkdir()
    sr.mkdir()
    grey = np.random.default_rng(0).integers(0, 256, (24, 24), dtype=np.uint8)
    Image.fromarray(grey).save(hr / "g.png")
    Image.fromarray(np.dstack([grey] * 3 + [np.zeros_like(grey)]), "RGBA").save(sr / "g.png")
    assert run_cli(["evaluate", "--hr", str(hr), "--sr", str(sr), "--scale", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mean"]["ssim"] == 1.0
