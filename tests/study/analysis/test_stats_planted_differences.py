"""A simulated study with planted differences: the Wilcoxon tests find them, and only them.

26 raters x 100 images, as the paper's BSD100 study, with the default simulation
(rater bias N(0, 0.3), noise N(0, 0.7), rounded to 1..5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from study.analysis import stats
from study.analysis.simulate import simulate_ratings

N_RATERS = 26
N_IMAGES = 100


def study(datasets: dict[str, dict[str, float]], seed: int) -> pd.DataFrame:
    rows = [
        (dataset, f"img{k:03d}", method, quality)
        for dataset, methods in datasets.items()
        for k in range(N_IMAGES)
        for method, quality in methods.items()
    ]
    stimuli = pd.DataFrame(rows, columns=["dataset", "image", "method", "quality"])
    return simulate_ratings(stimuli=stimuli, n_raters=N_RATERS, seed=seed)


def test_it_finds_every_planted_half_point_difference():
    planted = {"m20": 2.0, "m25": 2.5, "m30": 3.0, "m35": 3.5, "m40": 4.0}
    out = stats.wilcoxon_pairs(study({"BSD100": planted}, seed=1))
    assert len(out) == 10
    assert (out["n_pairs"] == N_RATERS * N_IMAGES).all()
    assert out["significant"].all()
    # The smallest planted gap (0.5) is still far beyond chance at n = 2600 pairs.
    assert out["p_holm"].max() < 1e-10
    # Direction and size: method_a sorts first and has the lower planted quality.
    gap = np.array(
        [planted[b] - planted[a] for a, b in zip(out["method_a"], out["method_b"], strict=True)]
    )
    assert (out["effect_size"] < 0).all()
    np.testing.assert_allclose(out["mos_b"] - out["mos_a"], gap, atol=0.1)


def test_it_finds_identical_methods_different_no_more_than_five_percent_of_the_time():
    # 200 independent data sets, each comparing two methods of identical quality 3.0.
    trials = 200
    out = stats.wilcoxon_pairs(
        study({f"D{k:03d}": {"a": 3.0, "b": 3.0} for k in range(trials)}, seed=2)
    )
    assert len(out) == trials
    false_positives = int((out["p_value"] < 0.05).sum())
    # Under the null this count is Binomial(200, 0.05): mean 10; P(X >= 19) = 0.007.
    assert sps.binom.sf(18, trials, 0.05) < 0.01
    assert false_positives <= 18
    # ... and the test is not dead either: P(X <= 2) = 0.002.
    assert false_positives >= 3
    # The p-values of a valid test are uniform under the null.
    assert sps.kstest(out["p_value"], "uniform").pvalue > 0.01


def test_it_keeps_identical_methods_apart_from_different_ones_in_one_study():
    planted = {"hr": 4.4, "srgan": 3.6, "srgan-copy": 3.6, "srresnet": 2.3}
    out = stats.wilcoxon_pairs(study({"BSD100": planted}, seed=3))
    same = (out["method_a"] == "srgan") & (out["method_b"] == "srgan-copy")
    assert not out.loc[same, "significant"].any()
    assert out.loc[~same, "significant"].all()
