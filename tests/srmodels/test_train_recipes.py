"""Every recipe trains 3 steps on CPU through ``python -m srmodels train`` and exports
weights that the inference engine loads."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from srmodels.engine import Upscaler
from srmodels.train import load_checkpoint
from srmodels.weights import load_weights
from tests.srmodels.trainkit import TINY, make_images, train, write_vgg

TERMS = {
    "srresnet-mse": ["content"],
    "srresnet-vgg22": ["content", "tv"],
    "srgan-mse": ["content", "adv", "d_real", "d_fake"],
    "srgan-vgg22": ["content", "adv", "d_real", "d_fake"],
    "srgan-vgg54": ["content", "adv", "d_real", "d_fake"],
    "srcnn": ["content"],
    "espcn": ["content"],
    "drcn": ["content", "supervision"],
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("train")
    data = make_images(root / "hr", count=4)
    vgg22 = write_vgg(root / "vgg22.pth", "relu2_2")
    vgg54 = write_vgg(root / "vgg54.pth", "relu5_4")
    # A tiny SRResNet-MSE for the SRGAN recipes to start from, as the paper does.
    code = train(
        "--recipe",
        "srresnet-mse",
        "--data",
        data,
        "--out",
        root / "init",
        "--iters",
        2,
        "--batch-size",
        2,
        "--crop",
        32,
        "--workers",
        0,
        "--quiet",
        "--export",
        root / "init" / "srresnet-mse",
        *[arg for s in TINY["srresnet-mse"] for arg in ("--set", s)],
    )
    assert code == 0
    return {
        "root": root,
        "data": data,
        "vgg22": vgg22,
        "vgg54": vgg54,
        "init": root / "init" / "checkpoint.pt",
    }


@pytest.mark.parametrize("recipe", list(TERMS))
def test_it_runs_three_steps_of_every_recipe(recipe: str, workspace: dict[str, Path]) -> None:
    out = workspace["root"] / recipe
    args: list[object] = [
        "--recipe",
        recipe,
        "--data",
        workspace["data"],
        "--out",
        out,
        "--iters",
        3,
        "--batch-size",
        2,
        "--crop",
        32,
        "--log-every",
        1,
        "--workers",
        0,
        "--quiet",
        "--export",
        out / recipe,
    ]
    for setting in TINY[recipe]:
        args += ["--set", setting]
    if "vgg" in recipe:
        args += ["--vgg-weights", workspace["vgg54" if recipe.endswith("54") else "vgg22"]]
    if recipe.startswith("srgan"):
        args += ["--init", workspace["init"]]
    assert train(*args) == 0

    with (out / "log.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["step"]) for row in rows] == [1, 2, 3]
    assert list(rows[0])[3:-1] == TERMS[recipe]
    for row in rows:
        assert all(math.isfinite(float(row[term])) for term in TERMS[recipe])
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 3

    meta = json.loads((out / f"{recipe}.json").read_text())
    assert meta["method"] == recipe
    assert meta["training"]["iterations"] == 3
    assert meta["recipe"]["name"] == recipe
    assert meta["data"]["images"] == 4
    upscaler = Upscaler(recipe, weights=out / f"{recipe}.safetensors", device="cpu")
    image = np.full((10, 12, 3), 120, np.uint8)
    assert upscaler.upscale([image])[0].shape == (40, 48, 3)


@pytest.mark.parametrize("source", ["checkpoint.pt", "srresnet-mse.safetensors"])
def test_it_starts_srgan_from_the_srresnet_weights(source: str, workspace: dict[str, Path]) -> None:
    init = workspace["init"].with_name(source)
    if source.endswith(".pt"):
        expected = load_checkpoint(init)["generator"]
    else:
        state, meta = load_weights(init)
        expected = {"state": state, "arch_args": meta["arch_args"]}
    out = workspace["root"] / f"srgan-init-{source}"
    args = [
        "--recipe",
        "srgan-mse",
        "--data",
        workspace["data"],
        "--out",
        out,
        "--iters",
        1,
        "--batch-size",
        2,
        "--crop",
        32,
        "--set",
        "lr=0",
        "--set",
        "disc.num_features=4",
        "--init",
        init,
        "--workers",
        0,
        "--quiet",
    ]
    assert train(*args) == 0
    trained = load_checkpoint(out / "checkpoint.pt")["generator"]
    assert trained["arch_args"] == expected["arch_args"]
    # lr 0: G's weights are still the SRResNet's (BN running statistics do move).
    for name, tensor in expected["state"].items():
        if "running" not in name and "num_batches" not in name:
            assert torch.equal(trained["state"][name], tensor), name
