"""Thurstone observers and the simulated designs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtr

from study.pairwise import stats
from study.pairwise.simulate import (
    Observer,
    full_design,
    observers,
    simulate_active,
    simulate_full,
)

PLANTED = {"bicubic": 0.0, "srresnet-mse": 1.0, "srgan-vgg54": 2.5}


def test_it_prefers_a_method_1_jod_better_75_percent_of_the_time():
    observer = Observer(PLANTED, rng=np.random.default_rng(0))
    assert observer.prob("srresnet-mse", "bicubic") == pytest.approx(0.75)
    many = observer.choose_many(np.array(["srresnet-mse"] * 20_000), np.array(["bicubic"] * 20_000))
    assert np.mean(many == "srresnet-mse") == pytest.approx(0.75, abs=0.01)
    loose = Observer(PLANTED, rng=np.random.default_rng(0), inconsistency=2.0)
    assert loose.prob("srresnet-mse", "bicubic") == pytest.approx(ndtr(0.5 / stats.JOD_SIGMA))
    with pytest.raises(ValueError, match="no planted score for method 'hr'"):
        observer.prob("hr", "bicubic")


def test_it_gives_each_rater_its_own_seeded_noise_and_offsets():
    panel = observers(["a", "b"], PLANTED, seed=1, rater_sd=0.5, inconsistency_spread=0.3)
    again = observers(["b", "a"], PLANTED, seed=1, rater_sd=0.5, inconsistency_spread=0.3)
    assert panel["a"].scores == again["a"].scores
    assert panel["a"].sigma == again["a"].sigma
    assert panel["a"].scores != panel["b"].scores
    plain = observers(["a"], PLANTED, seed=1)["a"]
    assert plain.scores == PLANTED
    assert plain.sigma == stats.JOD_SIGMA


def test_the_full_design_shows_every_pair_on_every_image_in_balanced_rounds():
    trials = full_design(
        dataset="Set5",
        methods=list(PLANTED),
        images=["a", "b", "c", "d"],
        raters=["r1", "r2"],
        seed=0,
    )
    assert len(trials) == 2 * 4 * 3
    pair = trials.apply(lambda r: tuple(sorted((r.method_a, r.method_b))), axis=1)
    for _, part in trials.assign(pair=pair).groupby("rater"):
        assert part.groupby(["pair", "image"]).size().eq(1).all()
        for k in range(4):  # each round of 3 trials holds the 3 pairs
            assert part["pair"].iloc[3 * k : 3 * k + 3].nunique() == 3
    assert (trials.method_a == "bicubic").any()
    assert (trials.method_b == "bicubic").any()  # sides are randomised
    prefix = full_design(
        dataset="Set5", methods=list(PLANTED), images=["a", "b", "c", "d"], raters=["r1", "r2"],
        seed=0, comparisons_per_rater=5,
    )  # fmt: skip
    assert len(prefix) == 10


def test_simulations_are_reproducible_and_in_the_choices_format():
    one = simulate_full(PLANTED, dataset="Set5", images=3, raters=4, seed=7)
    assert one.equals(simulate_full(PLANTED, dataset="Set5", images=3, raters=4, seed=7))
    assert not one.equals(simulate_full(PLANTED, dataset="Set5", images=3, raters=4, seed=8))
    assert list(one.columns) == list(stats.CHOICE_COLUMNS)
    stats.validate_choices(one)
    live = simulate_active(
        PLANTED, dataset="Set5", images=3, raters=4, comparisons_per_rater=9, seed=7
    )
    assert live.equals(
        simulate_active(
            PLANTED, dataset="Set5", images=3, raters=4, comparisons_per_rater=9, seed=7
        )
    )
    assert len(live) == 36
    stats.validate_choices(live)
    # A rater sees an image of a pair again only once it has seen all three.
    counts = live.groupby(["rater", "method_a", "method_b", "image"]).size()
    counts = counts.unstack("image", fill_value=0).reindex(
        columns=["img000", "img001", "img002"], fill_value=0
    )
    assert (counts.max(axis=1) - counts.min(axis=1)).le(1).all()
    assert counts.to_numpy().max() >= 2  # (the check has something to check)
