"""Synthetic ratings: reproducible, order-free, and drawn from the stated model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from study.analysis import stats
from study.analysis.simulate import rater_biases, score_plan, simulate_ratings


def stimuli(n_images: int = 10) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dataset": "BSD100",
            "image": np.repeat([f"i{k:03d}" for k in range(n_images)], 3),
            "method": ["nearest", "srgan", "hr"] * n_images,
            "quality": [1.2, 3.5, 4.5] * n_images,
        }
    )


def test_it_builds_a_complete_study_in_the_stats_format():
    df = simulate_ratings(stimuli=stimuli(), n_raters=12, seed=1, retest=4)
    assert list(df.columns) == [
        "rater", "dataset", "image", "method", "score", "repeat", "simulated", "position"
    ]  # fmt: skip
    assert len(df) == 12 * (30 + 4)
    assert df["rater"].nunique() == 12
    assert df["rater"].iloc[0] == "sim0001"
    assert df["simulated"].all()
    assert set(df["score"].unique()) <= {1, 2, 3, 4, 5}
    assert df["score"].dtype == "int64"
    # Each rater sees every item once, in an own random order.
    for _, part in df.groupby("rater"):
        assert sorted(part["position"]) == list(range(34))
    orders = df.pivot_table(index=["image", "method", "repeat"], columns="rater", values="position")
    assert orders.nunique(axis=1).max() > 1
    # The same 4 stimuli are repeated for every rater.
    repeated = df[df["repeat"] == 1].groupby(["image", "method"]).size()
    assert len(repeated) == 4
    assert (repeated == 12).all()
    stats.validate_ratings(df)  # a valid ratings table


def test_it_is_reproducible_from_the_seed():
    a = simulate_ratings(stimuli=stimuli(), n_raters=5, seed=9)
    b = simulate_ratings(stimuli=stimuli(), n_raters=5, seed=9)
    c = simulate_ratings(stimuli=stimuli(), n_raters=5, seed=10)
    pd.testing.assert_frame_equal(a, b)
    assert not a["score"].equals(c["score"])


def test_it_scores_a_plan_the_same_in_any_order_or_piece():
    df = simulate_ratings(stimuli=stimuli(), n_raters=6, seed=4, retest=3)
    plan = df.drop(columns="score")
    whole = score_plan(plan, quality=stimuli(), seed=4)
    assert whole.equals(df["score"])
    shuffled = plan.sample(frac=1.0, random_state=0)
    assert score_plan(shuffled, quality=stimuli(), seed=4).sort_index().equals(whole)
    pieces = pd.concat(
        score_plan(part, quality=stimuli(), seed=4) for _, part in plan.groupby("rater")
    )
    assert pieces.sort_index().equals(whole)
    # A retest repeat gets fresh noise: not always the same score as the first time.
    first = df[df["repeat"] == 0].set_index(["rater", "image", "method"])["score"]
    second = df[df["repeat"] == 1].set_index(["rater", "image", "method"])["score"]
    assert (first.loc[second.index] != second).any()


def test_it_takes_quality_per_method_per_stimulus_or_per_dataset():
    plan = pd.DataFrame(
        {"rater": "r", "dataset": ["A", "B"], "image": "x", "method": ["srgan", "srgan"]}
    )
    by_method = score_plan(plan, quality={"srgan": 5.0}, seed=0, bias_sd=0, noise_sd=0)
    assert by_method.tolist() == [5, 5]
    table = pd.DataFrame({"dataset": ["A", "B"], "method": "srgan", "quality": [1.2, 3.8]})
    by_dataset = score_plan(plan, quality=table, seed=0, bias_sd=0, noise_sd=0)
    assert by_dataset.tolist() == [1, 4]
    assert list(by_dataset.index) == list(plan.index)
    with pytest.raises(ValueError, match="no quality for method='srgan'"):
        score_plan(plan, quality={"hr": 4.0}, seed=0)
    with pytest.raises(ValueError, match=r"plan lacks column.*'image'"):
        score_plan(plan.drop(columns="image"), quality={"srgan": 3.0}, seed=0)


def test_it_draws_bias_and_noise_of_the_stated_size():
    many = pd.DataFrame(
        {"dataset": "D", "image": [f"i{k}" for k in range(2000)], "method": "m", "quality": 3.0}
    )
    biases = rater_biases([f"r{k}" for k in range(4000)], seed=3, bias_sd=0.3)
    assert biases.std() == pytest.approx(0.3, rel=0.05)
    assert abs(biases.mean()) < 0.02
    # One rater, no bias, noise 0.7: the rounded scores keep mean 3 and the spread of
    # a rounded N(3, 0.7) (about sqrt(0.49 + 1/12) = 0.757, slightly less from clipping).
    df = simulate_ratings(stimuli=many, n_raters=1, seed=2, bias_sd=0.0, noise_sd=0.7)
    assert df["score"].mean() == pytest.approx(3.0, abs=0.05)
    assert df["score"].std() == pytest.approx(0.75, abs=0.04)
    # Per-rater inconsistency: the noisier rater spreads wider.
    two = simulate_ratings(stimuli=many, n_raters=2, seed=2, bias_sd=0.0, noise_sd=[0.2, 1.0])
    spread = two.groupby("rater")["score"].std()
    assert spread["sim0001"] < 0.4 < 0.9 < spread["sim0002"]


def test_it_refuses_bad_arguments():
    with pytest.raises(ValueError, match="n_raters must be positive"):
        simulate_ratings(stimuli=stimuli(), n_raters=0, seed=0)
    with pytest.raises(ValueError, match="noise_sd has 2 values for 3 raters"):
        simulate_ratings(stimuli=stimuli(), n_raters=3, seed=0, noise_sd=[0.5, 0.5])
    with pytest.raises(ValueError, match=r"stimuli lack column.*'quality'"):
        simulate_ratings(stimuli=stimuli().drop(columns="quality"), n_raters=3, seed=0)
    unknown = pd.DataFrame({"dataset": ["BSD100"], "image": ["nope"], "method": ["hr"]})
    with pytest.raises(ValueError, match="retest stimulus not in stimuli"):
        simulate_ratings(stimuli=stimuli(), n_raters=3, seed=0, retest=unknown)
