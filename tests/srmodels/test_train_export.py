"""``--export`` writes the registry's weights format; ``--bench`` / ``--measure`` record the
upscale+evaluate figures in its JSON without touching the tensors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.torch import load_file

from srmodels.commands.evaluate import collect
from srmodels.engine import Upscaler
from srmodels.imageio import load_image, save_png
from srmodels.metrics import evaluate_pair
from srmodels.resize import imresize
from tests.srmodels.trainkit import make_images, train

TINY = ["--set", "arch.n1=4", "--set", "arch.n2=4", "--crop", 16, "--batch-size", 2]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("export")
    data = make_images(root / "hr", count=3)
    # A benchmark folder in the published layout: <name>_HR.png + <name>_LR.png.
    bench = root / "bench"
    bench.mkdir()
    for path in sorted(data.iterdir())[:2]:
        hr = load_image(path)[:48, :48]
        save_png(bench / f"{path.stem}_HR.png", hr)
        save_png(bench / f"{path.stem}_LR.png", imresize(hr, 0.25))
    stem = root / "weights" / "espcn"
    code = train(
        "--recipe",
        "espcn",
        "--data",
        data,
        "--out",
        root / "run",
        "--iters",
        3,
        "--workers",
        0,
        "--quiet",
        "--export",
        stem,
        "--bench",
        f"Tiny={bench}",
        *TINY,
    )
    assert code == 0
    return {"root": root, "stem": stem, "bench": bench, "data": data}


def test_it_writes_fp16_weights_with_training_facts(exported: dict[str, Path]) -> None:
    stem = exported["stem"]
    tensors = load_file(str(stem.with_suffix(".safetensors")))
    assert {str(t.dtype) for t in tensors.values()} == {"torch.float16"}
    meta = json.loads(stem.with_suffix(".json").read_text())
    assert meta["arch"] == "espcn"
    assert meta["arch_args"]["n1"] == 4
    assert meta["recipe"]["iters"] == 3
    assert meta["data"]["folders"] == [str(exported["data"])]
    assert meta["data"]["images"] == 3
    training = meta["training"]
    assert training["iterations"] == 3
    assert training["time_s"] >= 0
    assert training["hardware"]
    assert training["device"] == "cpu"


def test_it_records_the_upscale_evaluate_figures(exported: dict[str, Path], tmp_path) -> None:
    stem, bench = exported["stem"], exported["bench"]
    recorded = json.loads(stem.with_suffix(".json").read_text())["metrics"]["Tiny"]
    # The same numbers by hand: the engine writes PNGs, evaluate pairs and scores them.
    upscaler = Upscaler("espcn", weights=stem.with_suffix(".safetensors"), device="cpu")
    upscaler.upscale_files(sorted(bench.glob("*_LR.png")), tmp_path, progress=False)
    hr = collect(bench, "{name}_HR.png", "--hr-pattern")
    sr = collect(tmp_path, "{name}_LR.png", "--sr-pattern")
    rows = [evaluate_pair(load_image(sr[n]), load_image(hr[n]), scale=4) for n in sorted(hr)]
    assert recorded["images"] == 2
    for key in ("psnr", "ssim", "ssim_daala"):
        assert recorded[key] == pytest.approx(np.mean([row[key] for row in rows]), abs=1e-4)


def test_it_measures_later_without_changing_the_tensors(exported: dict[str, Path]) -> None:
    stem, bench = exported["stem"], exported["bench"]
    before = load_file(str(stem.with_suffix(".safetensors")))
    assert train("--measure", stem, "--bench", f"Again={bench}", "--device", "cpu") == 0
    after = load_file(str(stem.with_suffix(".safetensors")))
    assert before.keys() == after.keys()
    assert all(np.array_equal(before[k].numpy(), after[k].numpy()) for k in before)
    metrics = json.loads(stem.with_suffix(".json").read_text())["metrics"]
    assert metrics["Again"]["psnr"] == metrics["Tiny"]["psnr"]
