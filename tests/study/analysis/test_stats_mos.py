"""MOS, its 95 % confidence intervals and the score distribution, pinned by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from study.analysis import stats
from study.analysis.simulate import simulate_ratings
from tests.study.analysis.reference import nflx_ratings


def ratings(scores: dict[str, list[int]], dataset: str = "Set5") -> pd.DataFrame:
    rows = []
    for method, values in scores.items():
        for k, s in enumerate(values):
            rows.append((f"r{k}", dataset, "baby", method, s))
    return pd.DataFrame(rows, columns=["rater", "dataset", "image", "method", "score"])


def test_it_gives_the_t_interval_computed_by_hand():
    # Scores 2, 3, 3, 4, 5: mean 3.4, s^2 = (1.96 + .16 + .16 + .36 + 2.56) / 4 = 1.3,
    # t(0.975, 4) = 2.776445 (Student t table), half-width = t * sqrt(1.3) / sqrt(5).
    out = stats.mos(ratings({"srgan": [2, 3, 3, 4, 5]}))
    row = out.iloc[0]
    half = 2.776445 * math.sqrt(1.3) / math.sqrt(5)
    assert row["n"] == 5
    assert row["mos"] == pytest.approx(3.4)
    assert row["std"] == pytest.approx(math.sqrt(1.3))
    assert row["ci95_low"] == pytest.approx(3.4 - half, abs=1e-6)
    assert row["ci95_high"] == pytest.approx(3.4 + half, abs=1e-6)
    assert half == pytest.approx(1.415715, abs=1e-6)


def test_it_counts_the_score_distribution_per_dataset_and_method():
    df = pd.concat(
        [
            ratings({"nearest": [1, 1, 2], "hr": [5, 4, 5]}, "Set5"),
            ratings({"nearest": [1, 3, 3]}, "Set14"),
        ]
    )
    out = stats.mos(df).set_index(["dataset", "method"])
    counts = [f"count_{s}" for s in range(1, 6)]
    assert out.loc[("Set5", "nearest"), counts].tolist() == [2, 1, 0, 0, 0]
    assert out.loc[("Set5", "hr"), counts].tolist() == [0, 0, 0, 1, 2]
    assert out.loc[("Set14", "nearest"), counts].tolist() == [1, 0, 2, 0, 0]
    assert out.loc[("Set14", "nearest"), "mos"] == pytest.approx(7 / 3)
    assert list(out.reset_index().columns) == [
        "dataset",
        "method",
        "n",
        "mos",
        "std",
        "ci95_low",
        "ci95_high",
        *counts,
    ]


def test_it_leaves_retest_repeats_out_of_the_mos():
    df = ratings({"bicubic": [2, 2, 2]})
    repeat = df.iloc[[0]].assign(score=5, repeat=1)
    out = stats.mos(pd.concat([df.assign(repeat=0), repeat]))
    assert out.loc[0, "n"] == 3
    assert out.loc[0, "mos"] == 2.0


def test_it_gives_the_plain_mean_per_stimulus_on_the_netflix_data():
    df = nflx_ratings()
    plain = df.groupby("asset_id")["score"].mean().rename("plain")
    # A Netflix stimulus is (content, condition): group by it as (dataset, method).
    out = stats.mos(df.assign(dataset=df["image"]))
    assets = df.drop_duplicates("asset_id")[["asset_id", "image", "method"]]
    both = out.merge(assets, left_on=["dataset", "method"], right_on=["image", "method"])
    both = both.join(plain, on="asset_id")
    assert len(both) == 79
    assert (both["n"] == 26).all()
    np.testing.assert_allclose(both["mos"], both["plain"], rtol=0, atol=1e-12)


def test_it_bootstraps_over_raters_and_images_reproducibly():
    stimuli = pd.DataFrame(
        {
            "dataset": "BSD100",
            "image": [f"i{k}" for k in range(20)],
            "method": "srgan",
            "quality": 3.0,
        }
    )
    # Strong rater bias, little noise: ratings cluster by rater, which the t interval
    # (treating 26 x 20 ratings as independent) ignores and the cluster bootstrap sees.
    df = simulate_ratings(stimuli=stimuli, n_raters=26, seed=3, bias_sd=1.0, noise_sd=0.2)
    t = stats.mos(df).iloc[0]
    boot = stats.mos(df, ci="bootstrap", n_boot=400, seed=7).iloc[0]
    again = stats.mos(df, ci="bootstrap", n_boot=400, seed=7).iloc[0]
    assert boot["ci95_low"] == again["ci95_low"]
    assert boot["ci95_high"] == again["ci95_high"]
    assert boot["ci95_low"] < boot["mos"] < boot["ci95_high"]
    assert boot["ci95_high"] - boot["ci95_low"] > 2 * (t["ci95_high"] - t["ci95_low"])
    # The rater-level standard error is sd(rater means) / sqrt(26); the bootstrap
    # interval should be about +-1.96 of it.
    rater_means = df.groupby("rater")["score"].mean()
    se = rater_means.std() / math.sqrt(26)
    assert (boot["ci95_high"] - boot["ci95_low"]) / (2 * 1.96 * se) == pytest.approx(1.0, abs=0.2)


def test_it_collapses_the_bootstrap_interval_when_nothing_varies():
    out = stats.mos(ratings({"hr": [5, 5, 5, 5]}), ci="bootstrap", n_boot=50).iloc[0]
    assert out["ci95_low"] == out["ci95_high"] == 5.0


def test_it_refuses_an_unknown_interval():
    with pytest.raises(ValueError, match="ci must be 't' or 'bootstrap'"):
        stats.mos(ratings({"hr": [5]}), ci="normal")
