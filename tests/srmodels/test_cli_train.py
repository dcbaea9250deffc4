"""``python -m srmodels train`` refuses bad input with one clear line and status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from srmodels.cli import build_parser
from tests.srmodels.trainkit import make_images, train

TINY_ESPCN = ["--set", "arch.n1=4", "--set", "arch.n2=4", "--crop", 16, "--batch-size", 2]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_images(tmp_path / "hr", count=3)


def _error(capsys: pytest.CaptureFixture[str], *argv: object) -> str:
    assert train(*argv) == 2
    return capsys.readouterr().err


def test_it_lists_every_recipe_in_help_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    help_text = build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    for flag in (
        "--recipe",
        "--data",
        "--out",
        "--iters",
        "--batch-size",
        "--crop",
        "--lr",
        "--init",
        "--resume",
        "--vgg-weights",
        "--val",
        "--val-every",
        "--device",
        "--precision",
        "--compile",
        "--channels-last",
        "--workers",
        "--seed",
        "--export",
    ):
        assert flag in help_text
    assert train("--list") == 0
    listed = capsys.readouterr().out
    assert "srgan-vgg54: SRGAN from SRResNet-MSE, VGG19 phi_5,4 loss" in listed
    assert "adv_weight=0.001" in listed


def test_it_requires_a_recipe_data_and_out(data: Path, capsys: pytest.CaptureFixture) -> None:
    assert "--recipe is required" in _error(capsys, "--data", data, "--out", "x")
    assert "--data DIR" in _error(capsys, "--recipe", "espcn", "--out", "x")
    assert "--out RUN_DIR is required" in _error(capsys, "--recipe", "espcn", "--data", data)


def test_it_names_an_empty_training_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    err = _error(capsys, "--recipe", "espcn", "--data", empty, "--out", tmp_path / "run")
    assert f"error: training folder {empty} holds no image" in err
    assert "Traceback" not in err


def test_it_names_an_unreadable_training_image(tmp_path: Path, capsys) -> None:
    data = make_images(tmp_path / "hr", count=3)
    (data / "truncated.png").write_bytes((data / "img0.png").read_bytes()[:60])
    err = _error(
        capsys,
        "--recipe",
        "espcn",
        "--data",
        data,
        "--out",
        tmp_path / "run",
        "--iters",
        6,
        "--workers",
        0,
        "--quiet",
        *TINY_ESPCN,
    )
    assert "truncated.png: cannot decode the image" in err


def test_it_asks_vgg_recipes_for_the_vgg_file(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SRMODELS_VGG19_WEIGHTS", raising=False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))  # an empty hub cache
    err = _error(capsys, "--recipe", "srresnet-vgg22", "--data", data, "--out", tmp_path / "r")
    assert "vgg19-dcbb9e9d.pth" in err
    assert "--vgg-weights PATH or set SRMODELS_VGG19_WEIGHTS" in err
    missing = tmp_path / "nope.pth"
    err = _error(
        capsys,
        "--recipe",
        "srresnet-vgg22",
        "--data",
        data,
        "--out",
        tmp_path / "r",
        "--vgg-weights",
        missing,
    )
    assert f"VGG19 weights file {missing} does not exist" in err


def test_it_asks_srgan_for_an_srresnet_to_start_from(data: Path, tmp_path: Path, capsys) -> None:
    err = _error(capsys, "--recipe", "srgan-mse", "--data", data, "--out", tmp_path / "r")
    assert "pass --init with its checkpoint or weights file, or --init none" in err
    espcn = tmp_path / "espcn"
    assert (
        train(
            "--recipe",
            "espcn",
            "--data",
            data,
            "--out",
            espcn,
            "--iters",
            1,
            "--workers",
            0,
            "--quiet",
            *TINY_ESPCN,
        )
        == 0
    )
    err = _error(
        capsys,
        "--recipe",
        "srgan-mse",
        "--data",
        data,
        "--out",
        tmp_path / "r",
        "--init",
        espcn / "checkpoint.pt",
    )
    assert "holds a 'espcn' network" in err


def test_it_refuses_bad_overrides_and_resume_files(data: Path, tmp_path: Path, capsys) -> None:
    base = ["--recipe", "espcn", "--data", data, "--out", tmp_path / "r"]
    assert "no settable field 'colour'" in _error(capsys, *base, "--set", "colour=1")
    assert "must look like NAME=VALUE" in _error(capsys, *base, "--set", "lr")
    assert "crop 30 must be a multiple" in _error(capsys, *base, "--crop", 30)
    assert "add --export STEM" in _error(capsys, *base, "--bench", "Set5=x")
    assert "checkpoint" in _error(capsys, "--resume", tmp_path / "missing.pt")
    bogus = tmp_path / "bogus.pt"
    bogus.write_text("not a checkpoint")
    assert f"cannot read checkpoint {bogus}" in _error(capsys, "--resume", bogus)


def test_it_prints_a_json_summary_and_validates(data: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    assert (
        train(
            "--recipe",
            "espcn",
            "--data",
            data,
            "--out",
            run,
            "--iters",
            2,
            "--workers",
            0,
            "--quiet",
            "--val",
            data,
            *TINY_ESPCN,
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["step"] == 2
    assert summary["metrics"]["validation"]["images"] == 3
    assert 0 < summary["metrics"]["validation"]["psnr"] < 60
    assert (run / "log.csv").read_text().splitlines()[-1].startswith("2,")
