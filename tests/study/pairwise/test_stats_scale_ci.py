"""Bootstrap CIs over raters: shape, reproducibility, cluster resampling, speed."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from study.pairwise import stats
from study.pairwise.simulate import simulate_full

PLANTED = {"bicubic": 0.0, "srresnet-mse": 1.8, "srgan-mse": 2.4, "srgan-vgg54": 2.9}


def study(seed: int = 0, **options) -> pd.DataFrame:
    return simulate_full(PLANTED, dataset="Set14", images=14, raters=26, seed=seed, **options)


def test_it_reports_the_fits_with_an_interval_around_them():
    choices = study()
    out = stats.scale_with_ci(choices, methods=list(PLANTED), draws=300)
    assert list(out.columns) == ["dataset", "method", "jod", "ci95_low", "ci95_high", "bt_score"]
    assert list(out.method) == list(PLANTED)
    pd.testing.assert_series_equal(
        out.jod, stats.thurstone_scale(choices, methods=list(PLANTED)).jod
    )
    pd.testing.assert_series_equal(
        out.bt_score, stats.bradley_terry(choices, methods=list(PLANTED)).bt_score
    )
    assert out.iloc[0][["jod", "ci95_low", "ci95_high", "bt_score"]].tolist() == [0, 0, 0, 0]
    rest = out.iloc[1:]
    assert (rest.ci95_low < rest.jod).all()
    assert (rest.jod < rest.ci95_high).all()
    # Bradley-Terry and Thurstone agree on the order; log(3) logits per JOD near 75 %.
    assert np.all(np.diff(out.bt_score) > 0)
    assert out.bt_score.iloc[1] / out.jod.iloc[1] == pytest.approx(np.log(3), rel=0.2)


def test_it_is_reproducible_per_seed_and_per_dataset():
    choices = study()
    one = stats.scale_with_ci(choices, draws=200, seed=5)
    pd.testing.assert_frame_equal(one, stats.scale_with_ci(choices, draws=200, seed=5))
    assert not one.ci95_low.equals(stats.scale_with_ci(choices, draws=200, seed=6).ci95_low)
    # Another arm in the same table leaves this arm's draws, hence its CIs, unchanged.
    other = study(seed=1).assign(dataset="BSD100")
    both = stats.scale_with_ci(pd.concat([other, choices]), draws=200, seed=5)
    pd.testing.assert_frame_equal(
        both[both.dataset == "Set14"].reset_index(drop=True), one, check_exact=False, rtol=1e-9
    )


def test_it_widens_when_raters_disagree_because_it_resamples_raters():
    steady = stats.scale_with_ci(study(seed=3), methods=list(PLANTED), draws=400)
    split = stats.scale_with_ci(study(seed=3, rater_sd=0.8), methods=list(PLANTED), draws=400)
    width = lambda out: (out.ci95_high - out.ci95_low).iloc[1:].to_numpy()  # noqa: E731
    assert np.all(width(split) > 1.3 * width(steady))


def test_it_bootstraps_4_methods_26_raters_120_comparisons_in_well_under_10_s():
    choices = study(repeats=2, comparisons_per_rater=120)
    assert len(choices) == 26 * 120
    start = time.perf_counter()
    stats.scale_with_ci(choices, draws=1000)
    assert time.perf_counter() - start < 2.0
