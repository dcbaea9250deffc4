"""``export_results`` of a pairwise study: every file, choices as made, wins and scale exact."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from study.pairwise import stats
from study.pairwise.models import Choice
from tests.study.pairwise.exporting import PAIRWISE_FILES, export, simulated_study, table

pytestmark = pytest.mark.django_db


def test_it_writes_every_file_with_one_row_per_answered_trial(tmp_path):
    study = simulated_study(count=3)
    folder = export(study, tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == PAIRWISE_FILES
    choices = table(folder, "choices.csv")
    assert list(choices.columns) == [
        "rater", "simulated", "dataset", "image", "position", "left", "right", "chosen",
        "response_ms", "server_ms", "submitted_at",
    ]  # fmt: skip
    # 3 raters x 3 pairs x 2 images, in rater and position order.
    assert len(choices) == Choice.objects.count() == 18
    assert list(choices["rater"]) == [str(n) for n in (2, 3, 4) for _ in range(6)]
    assert list(choices["position"]) == list(range(6)) * 3
    made = {
        (str(c.trial.rater.number), c.trial.position): (
            c.trial.left.output.method.key,
            c.trial.right.output.method.key,
            c.trial.left.output.method.key if c.chose_left else c.trial.right.output.method.key,
        )
        for c in Choice.objects.select_related("trial__rater", "trial__left__output__method")
    }
    written = {(r.rater, r.position): (r.left, r.right, r.chosen) for r in choices.itertuples()}
    assert written == made
    assert (folder / "scale.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (folder / "scale.pdf").read_bytes()[:5] == b"%PDF-"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["kind"], manifest["design"]) == ("pairwise", "full")
    assert manifest["counts"]["choices_analysed"] == 18
    assert manifest["counts"]["raters_invited"] == 4
    assert manifest["raters"]["batches"][0]["parameters"]["seed"] == 5
    assert set(manifest["files"]) == set(PAIRWISE_FILES)


def test_it_counts_wins_exactly_as_the_choices_were_made(tmp_path):
    study = simulated_study(count=4)
    wins: dict[tuple[str, str], int] = {}
    for c in Choice.objects.select_related(
        "trial__left__output__method", "trial__right__output__method"
    ):
        left, right = c.trial.left.output.method.key, c.trial.right.output.method.key
        winner, loser = (left, right) if c.chose_left else (right, left)
        wins[(winner, loser)] = wins.get((winner, loser), 0) + 1
    found = table(export(study, tmp_path / "out"), "pairwise.csv")
    assert list(zip(found["method_a"], found["method_b"], strict=True)) == [
        ("nearest", "bicubic"),
        ("nearest", "srcnn"),
        ("bicubic", "srcnn"),
    ]
    for row in found.itertuples():
        assert row.wins_a == wins.get((row.method_a, row.method_b), 0)
        assert row.wins_b == wins.get((row.method_b, row.method_a), 0)
        assert row.n == row.wins_a + row.wins_b == 8  # 4 raters x 2 images


def test_it_writes_the_scale_that_stats_computes_from_choices_csv(tmp_path):
    study = simulated_study(count=4)
    folder = export(study, tmp_path / "out")
    choices = table(folder, "choices.csv")
    long = pd.DataFrame(
        {
            "rater": choices["rater"],
            "dataset": choices["dataset"],
            "image": choices["image"],
            "method_a": choices["left"],
            "method_b": choices["right"],
            "winner": choices["chosen"],
        }
    )
    expected = stats.scale_with_ci(
        long, methods=["nearest", "bicubic", "srcnn"], seed=study.seed, draws=1000
    )
    found = table(folder, "scale.csv")
    assert_frame_equal(found, expected, check_exact=False, rtol=1e-12, atol=1e-12)
    assert found.loc[0, ["jod", "ci95_low", "ci95_high"]].tolist() == [0.0, 0.0, 0.0]
    tests = stats.pairwise_tests(long, methods=["nearest", "bicubic", "srcnn"])
    assert np.allclose(table(folder, "pairwise.csv")["p_holm"], tests["p_holm"], rtol=1e-12)
