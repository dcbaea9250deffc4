"""P.910 Annex E subject model against sureal, and recovery of a planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from study.analysis import stats
from study.analysis.simulate import rater_biases, simulate_ratings
from tests.study.analysis.reference import nflx_ratings, run_sureal, sureal_reader

TOLERANCE = 1e-6  # the issue asks for 1e-3; the two implementations agree far closer


def compare_with_sureal(df: pd.DataFrame, **options) -> None:
    reader, keys = sureal_reader(df)  # skips when sureal is not installed
    from sureal.subjective_model import (
        MaximumLikelihoodEstimationModelContentObliviousAlternativeProjection2 as Sureal,
    )

    ref = run_sureal(Sureal, reader)
    stimuli, raters = stats.subject_model(df, **options)
    ours = stimuli.set_index(["dataset", "image", "method"]).loc[keys]
    np.testing.assert_allclose(ours["quality"], ref["quality_scores"], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(ours["quality_std"], ref["quality_scores_std"], atol=TOLERANCE)
    half = np.asarray(ref["quality_scores_ci95"][0])
    np.testing.assert_allclose(ours["ci95_low"], ours["quality"] - half, atol=TOLERANCE)
    np.testing.assert_allclose(ours["ci95_high"], ours["quality"] + half, atol=TOLERANCE)
    r = raters.set_index("rater").loc[reader._get_list_observers()]
    np.testing.assert_allclose(r["bias"], ref["observer_bias"], atol=TOLERANCE)
    np.testing.assert_allclose(r["bias_std"], ref["observer_bias_std"], atol=TOLERANCE)
    np.testing.assert_allclose(r["inconsistency"], ref["observer_inconsistency"], atol=TOLERANCE)
    np.testing.assert_allclose(
        r["inconsistency_std"], ref["observer_inconsistency_std"], atol=TOLERANCE
    )
    low, high = (np.asarray(v) for v in ref["observer_inconsistency_ci95"])
    np.testing.assert_allclose(
        r["inconsistency"] - r["inconsistency_ci95_low"], low, atol=TOLERANCE
    )
    np.testing.assert_allclose(
        r["inconsistency_ci95_high"] - r["inconsistency"], high, atol=TOLERANCE
    )
    assert stimuli.attrs["iterations"] == ref["num_iter"]


def test_it_agrees_with_sureal_on_the_netflix_data():
    compare_with_sureal(nflx_ratings())


def test_it_agrees_with_sureal_when_ratings_are_missing():
    df = nflx_ratings()
    keep = np.random.default_rng(8).random(len(df)) > 0.25  # drop a quarter at random
    compare_with_sureal(df[keep])


def test_it_agrees_with_sureal_on_repeated_ratings():
    stimuli = pd.DataFrame(
        {
            "dataset": "BSD100",
            "image": np.repeat([f"i{k}" for k in range(8)], 3),
            "method": ["nearest", "srgan", "hr"] * 8,
            "quality": [1.3, 3.4, 4.4] * 8,
        }
    )
    df = simulate_ratings(stimuli=stimuli, n_raters=12, seed=6, retest=5)
    compare_with_sureal(df, repeats=True)
    repeated, _ = stats.subject_model(df, repeats=True)
    first_only, _ = stats.subject_model(df)
    assert repeated["n"].sum() == len(df)
    assert first_only["n"].sum() == len(df[df["repeat"] == 0])


def test_it_gives_the_plain_mean_and_counts_alongside():
    df = nflx_ratings()
    stimuli, raters = stats.subject_model(df)
    plain = df.groupby(["image", "method"])["score"].mean()
    ours = stimuli.set_index(["image", "method"])
    np.testing.assert_allclose(ours["mos"], plain.loc[ours.index], atol=1e-12)
    assert (stimuli["n"] == 26).all()
    assert (raters["n"] == 79).all()
    # Biases are relative to the average rater.
    assert raters["bias"].mean() == pytest.approx(0.0, abs=1e-12)
    assert (raters["inconsistency"] > 0).all()


def test_it_recovers_planted_quality_bias_and_inconsistency():
    rng = np.random.default_rng(0)
    stimuli = pd.DataFrame(
        {
            "dataset": "BSD100",
            "image": np.repeat([f"i{k:02d}" for k in range(30)], 4),
            "method": np.tile(["a", "b", "c", "d"], 30),
        }
    )
    stimuli["quality"] = rng.uniform(2.0, 4.0, len(stimuli))
    noise = np.linspace(0.3, 1.2, 40)
    df = simulate_ratings(stimuli=stimuli, n_raters=40, seed=5, bias_sd=0.4, noise_sd=noise)
    est, raters = stats.subject_model(df)
    est = est.merge(stimuli.rename(columns={"quality": "planted"}))
    planted_bias = rater_biases(raters["rater"], seed=5, bias_sd=0.4)
    planted_bias -= planted_bias.mean()
    # Rounding to integers adds noise but, away from the scale ends, little bias.
    assert np.corrcoef(est["quality"], est["planted"])[0, 1] > 0.97
    assert np.mean(np.abs(est["quality"] - est["planted"])) < 0.15
    inside = (est["ci95_low"] <= est["planted"]) & (est["planted"] <= est["ci95_high"])
    assert inside.mean() > 0.85
    assert np.corrcoef(raters["bias"], planted_bias.to_numpy())[0, 1] > 0.95
    # Inconsistency: about sqrt(noise^2 + 1/12) after rounding; check the ordering.
    assert spearmanr(raters["inconsistency"], noise).statistic > 0.9


def test_it_converges_in_few_rounds_and_refuses_an_empty_table():
    stimuli, _ = stats.subject_model(nflx_ratings())
    assert stimuli.attrs["iterations"] < stats.MAX_ITERATIONS
    empty = nflx_ratings().iloc[:0]
    with pytest.raises(ValueError, match="no ratings"):
        stats.subject_model(empty)
