"""``--resume`` continues exactly: the next steps log the losses of an uninterrupted run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch

from srmodels.train import load_checkpoint
from tests.srmodels.trainkit import TINY, make_images, train


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


def _losses(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """Each row without its wall-clock column."""
    return [tuple(v for k, v in row.items() if k != "elapsed_s") for row in rows]


@pytest.mark.parametrize(("recipe", "workers"), [("srgan-mse", 0), ("espcn", 1)])
def test_it_resumes_with_the_losses_of_an_uninterrupted_run(
    tmp_path: Path, recipe: str, workers: int
) -> None:
    data = make_images(tmp_path / "hr", count=5)
    common = [
        "--recipe",
        recipe,
        "--data",
        data,
        "--iters",
        6,
        "--batch-size",
        2,
        "--crop",
        32,
        "--log-every",
        1,
        "--workers",
        workers,
        "--quiet",
        "--set",
        "augment=true",
        "--seed",
        11,
    ]
    for setting in [*TINY[recipe], "arch.num_blocks=1", "arch.num_features=8"]:
        if recipe == "srgan-mse" or not setting.startswith("arch.num_"):
            common += ["--set", setting]
    if recipe == "srgan-mse":
        common += ["--init", "none"]  # the lr drop halfway (step 3) is crossed on resume
    whole = tmp_path / "whole"
    assert train(*common, "--out", whole, "--save-every", 3, "--keep-checkpoints") == 0
    middle = whole / "checkpoint-0000003.pt"
    assert load_checkpoint(middle)["step"] == 3

    resumed = tmp_path / "resumed"
    assert train("--resume", middle, "--out", resumed, "--quiet", "--workers", workers) == 0

    uninterrupted = _rows(whole / "log.csv")
    assert [r["step"] for r in uninterrupted] == ["1", "2", "3", "4", "5", "6"]
    continued = _rows(resumed / "log.csv")
    assert [r["step"] for r in continued] == ["4", "5", "6"]
    assert _losses(continued) == _losses(uninterrupted[3:])
    if recipe == "srgan-mse":
        assert [r["lr"] for r in continued] == ["1e-05"] * 3


def test_it_keeps_the_log_up_to_the_checkpoint_when_resuming_in_place(tmp_path: Path) -> None:
    data = make_images(tmp_path / "hr", count=3)
    run = tmp_path / "run"
    args = [
        "--recipe",
        "espcn",
        "--data",
        data,
        "--out",
        run,
        "--iters",
        4,
        "--batch-size",
        2,
        "--crop",
        16,
        "--log-every",
        1,
        "--workers",
        0,
        "--quiet",
        "--set",
        "arch.n1=4",
        "--set",
        "arch.n2=4",
    ]
    assert train(*args, "--save-every", 2, "--keep-checkpoints") == 0
    assert train("--resume", run / "checkpoint-0000002.pt", "--iters", 5, "--quiet") == 0
    steps = [row["step"] for row in _rows(run / "log.csv")]
    assert steps == ["1", "2", "3", "4", "5"]
    assert load_checkpoint(run / "checkpoint.pt")["step"] == 5


def test_it_records_each_sitting_of_a_resumed_run(tmp_path: Path) -> None:
    data = make_images(tmp_path / "hr", count=3)
    run = tmp_path / "run"
    args = ["--recipe", "espcn", "--data", data, "--batch-size", 2, "--crop", 32, "--quiet"]
    args += ["--set", "augment=false"]
    assert train(*args, "--iters", 2, "--out", run) == 0
    first = load_checkpoint(run / "checkpoint.pt")
    assert [(s["from_step"], s["to_step"]) for s in first["sittings"]] == [(0, 2)]
    assert first["sittings"][0]["hardware"] == first["hardware"]
    assert first["sittings"][0]["precision"] in {"fp32", "bf16"}
    # A checkpoint from before sittings were kept counts as one sitting on its machine.
    del first["sittings"]
    first["hardware"] = "an older machine"
    torch.save(first, run / "checkpoint.pt")
    assert train("--resume", run / "checkpoint.pt", "--iters", 4, "--quiet") == 0
    sittings = load_checkpoint(run / "checkpoint.pt")["sittings"]
    assert [(s["from_step"], s["to_step"]) for s in sittings] == [(0, 2), (2, 4)]
    assert sittings[0]["hardware"] == "an older machine"
    assert sittings[1]["hardware"] != "an older machine"


def test_it_gives_a_resumed_run_its_own_time_limit(tmp_path: Path) -> None:
    data = make_images(tmp_path / "hr", count=3)
    run = tmp_path / "run"
    args = ["--recipe", "espcn", "--data", data, "--batch-size", 2, "--crop", 32, "--quiet"]
    assert train(*args, "--set", "augment=false", "--iters", 2, "--out", run) == 0
    state = load_checkpoint(run / "checkpoint.pt")
    state["elapsed"] = 100_000.0  # a long run so far: more than the new sitting's limit
    torch.save(state, run / "checkpoint.pt")
    resumed = ("--resume", run / "checkpoint.pt", "--iters", 6, "--time-limit", 600, "--quiet")
    assert train(*resumed) == 0
    assert load_checkpoint(run / "checkpoint.pt")["step"] == 6
