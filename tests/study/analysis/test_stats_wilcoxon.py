"""Paired Wilcoxon signed-rank tests, pinned against R's figures, hand computation and SciPy."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from study.analysis import stats

# Hollander & Wolfe (1973), p. 29: Hamilton depression scale factor IV, first (x) and
# second (y) visit, the example of R's ?wilcox.test. R 4.x prints for
#   wilcox.test(x, y, paired = TRUE)
#   V = 40, p-value = 0.03906
# (exact: no ties, no zeros; the one-sided "greater" version prints p-value = 0.01953).
HW_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]

# 16 integer differences with ties and two zeros, worked by hand below.
D = [1, 1, 1, 1, -1, 2, 2, -2, 3, 0, 0, 1, 2, 1, -1, 4]


def test_it_reproduces_r_on_the_hollander_wolfe_example():
    res = stats.signed_rank(HW_X, HW_Y)
    # SciPy's two-sided statistic is min(T+, T-) = 45 - 40; R's V is T+ = 40.
    assert res["statistic"] == 5.0
    total = 9 * 10 / 2
    assert total * (1 + res["effect_size"]) / 2 == pytest.approx(40.0)
    assert res["p_value"] == pytest.approx(0.03906, abs=5e-6)
    assert res["p_value"] == pytest.approx(20 / 512)  # 10 of 512 sign patterns have T- <= 5
    assert res["effect_size"] == pytest.approx(35 / 45)
    assert res["n_pairs"] == 9
    assert res["median_diff"] == pytest.approx(0.49)


def pairs_table(d: list[int]) -> pd.DataFrame:
    """Two methods whose differences (srgan - srresnet) are ``d``, on valid ACR scores."""
    rows = []
    for k, diff in enumerate(d):
        base = 1 if diff >= 0 else 3
        rater, image = f"r{k // 4}", f"i{k % 4}"
        rows.append((rater, "BSD100", image, "srresnet", base))
        rows.append((rater, "BSD100", image, "srgan", base + diff))
    return pd.DataFrame(rows, columns=["rater", "dataset", "image", "method", "score"])


def test_it_matches_the_normal_approximation_worked_by_hand():
    # Zeros dropped (wilcox): n = 14. |d| = 1 eight times -> average rank 4.5,
    # |d| = 2 four times -> 10.5, |d| = 3 -> 13, |d| = 4 -> 14.
    # T+ = 6 * 4.5 + 3 * 10.5 + 13 + 14 = 85.5, T- = 2 * 4.5 + 10.5 = 19.5.
    # E[T+] = 14 * 15 / 4 = 52.5; Var = 14 * 15 * 29 / 24 - ((8^3 - 8) + (4^3 - 4)) / 48
    #       = 253.75 - 11.75 = 242.
    sd = math.sqrt(242.0)
    z = (85.5 - 52.5) / sd
    z_cc = (85.5 - 52.5 - 0.5) / sd  # R / MATLAB continuity correction
    p = math.erfc(z / math.sqrt(2))
    p_cc = math.erfc(z_cc / math.sqrt(2))
    assert p == pytest.approx(0.0339, abs=1e-4)

    row = stats.wilcoxon_pairs(pairs_table(D)).iloc[0]
    assert (row["method_a"], row["method_b"]) == ("srgan", "srresnet")
    assert row["n_pairs"] == 16
    assert row["statistic"] == 19.5
    assert row["p_value"] == pytest.approx(p, rel=1e-9)
    assert row["p_holm"] == row["p_value"]  # one pair in the dataset
    assert bool(row["significant"]) is True
    assert row["effect_size"] == pytest.approx((85.5 - 19.5) / 105)
    assert row["median_diff"] == 1.0
    assert row["mos_a"] - row["mos_b"] == pytest.approx(np.mean(D))

    corrected = stats.wilcoxon_pairs(pairs_table(D), correction=True).iloc[0]
    assert corrected["p_value"] == pytest.approx(p_cc, rel=1e-9)


def test_it_offers_pratt_and_zsplit_for_the_zeros():
    # Pratt ranks the zeros (1.5 each) then drops them: |1| -> 6.5, |2| -> 12.5, 3 -> 15,
    # 4 -> 16; T+ = 6 * 6.5 + 3 * 12.5 + 15 + 16 = 107.5, T- = 2 * 6.5 + 12.5 = 25.5;
    # effect over all 16 ranks (136): (107.5 - 25.5) / 136.
    d = np.array(D, dtype=float)
    for zero_method in ("pratt", "zsplit"):
        row = stats.wilcoxon_pairs(pairs_table(D), zero_method=zero_method).iloc[0]
        direct = sps.wilcoxon(d, zero_method=zero_method)
        assert row["statistic"] == pytest.approx(direct.statistic)
        assert row["p_value"] == pytest.approx(direct.pvalue, rel=1e-12)
        assert row["effect_size"] == pytest.approx(82 / 136)
    assert stats.wilcoxon_pairs(pairs_table(D), zero_method="pratt").iloc[0]["statistic"] == 25.5
    # zsplit adds half of the zeros' ranks (2 * 1.5 / 2) to each side.
    assert stats.wilcoxon_pairs(pairs_table(D), zero_method="zsplit").iloc[0]["statistic"] == 27.0


def test_it_pairs_on_rater_and_image_and_agrees_with_scipy_called_directly():
    scores = {
        # (rater, image): nearest, bicubic, srgan
        ("r1", "a"): (1, 2, 4),
        ("r1", "b"): (1, 1, 5),
        ("r1", "c"): (2, 2, 3),
        ("r2", "a"): (1, 3, 4),
        ("r2", "b"): (2, 2, 4),
        ("r2", "c"): (1, 2, None),  # r2 did not rate srgan on c: no pair there
        ("r3", "a"): (1, 1, 5),
        ("r3", "b"): (1, 2, 3),
        ("r3", "c"): (3, 2, 4),
    }
    methods = ("nearest", "bicubic", "srgan")
    rows = [
        (rater, "Set14", image, m, s)
        for (rater, image), values in scores.items()
        for m, s in zip(methods, values, strict=True)
        if s is not None
    ]
    df = pd.DataFrame(rows, columns=["rater", "dataset", "image", "method", "score"])
    # A retest repeat must not enter the pairing.
    df = pd.concat([df.assign(repeat=0), df.iloc[[0]].assign(score=5, repeat=1)])
    out = stats.wilcoxon_pairs(df).set_index(["method_a", "method_b"])

    expected = {}
    for a, b in combinations(sorted(methods), 2):
        ia, ib = methods.index(a), methods.index(b)
        pairs = [(v[ia], v[ib]) for v in scores.values() if v[ia] is not None and v[ib] is not None]
        x, y = np.array(pairs, dtype=float).T
        direct = sps.wilcoxon(x, y)  # SciPy's defaults: wilcox zeros, auto, no correction
        expected[(a, b)] = (len(x), direct.statistic, direct.pvalue, x.mean(), y.mean())
    assert sorted(out.index) == sorted(expected)
    for key, (n, statistic, p, mean_a, mean_b) in expected.items():
        row = out.loc[key]
        assert row["n_pairs"] == n
        assert row["statistic"] == statistic
        assert row["p_value"] == pytest.approx(p, rel=1e-12)
        assert (row["mos_a"], row["mos_b"]) == pytest.approx((mean_a, mean_b))
    assert out.loc[("bicubic", "srgan"), "n_pairs"] == 8
    assert out.loc[("bicubic", "nearest"), "n_pairs"] == 9
    # Holm over the three pairs of the dataset, by hand.
    p = out["p_value"].to_numpy()
    order = np.argsort(p)
    hand = np.empty(3)
    running = 0.0
    for rank, k in enumerate(order):
        running = max(running, min(1.0, (3 - rank) * p[k]))
        hand[k] = running
    np.testing.assert_allclose(out["p_holm"].to_numpy(), hand)
    assert (out["significant"] == (out["p_holm"] < 0.05)).all()
    # Sign: srgan is rated higher than bicubic, so bicubic - srgan is negative.
    assert out.loc[("bicubic", "srgan"), "effect_size"] < 0
    assert out.loc[("bicubic", "srgan"), "median_diff"] < 0


def test_it_holm_adjusts_like_r_p_adjust():
    # p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    np.testing.assert_allclose(stats.holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    # NaN (no test) stays NaN and does not count in m; large products cap at 1.
    out = stats.holm([0.5, np.nan, 0.4])
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], [0.8, 0.8])
    np.testing.assert_allclose(stats.holm([0.6, 0.7]), [1.0, 1.0])


def test_it_reports_no_test_when_every_pair_is_identical():
    same = pairs_table([0, 0, 0, 0, 0])
    row = stats.wilcoxon_pairs(same).iloc[0]
    assert np.isnan(row["statistic"])
    assert np.isnan(row["p_value"])
    assert not row["significant"]
    assert row["median_diff"] == 0.0
    assert stats.wilcoxon_pairs(same, zero_method="pratt").iloc[0]["effect_size"] == 0.0


def test_it_forces_the_exact_or_the_approximate_distribution():
    d = [1, 2, 3, -1, 2, 4, 1]  # small, with ties: "auto" runs a permutation test
    exact = stats.wilcoxon_pairs(pairs_table(d), method="exact").iloc[0]
    approx = stats.wilcoxon_pairs(pairs_table(d), method="approx").iloc[0]
    assert exact["p_value"] == pytest.approx(sps.wilcoxon(d, method="exact").pvalue)
    assert approx["p_value"] == pytest.approx(sps.wilcoxon(d, method="asymptotic").pvalue)
    assert exact["p_value"] != approx["p_value"]
    with pytest.raises(ValueError, match="method must be one of"):
        stats.wilcoxon_pairs(pairs_table(d), method="normal")
    with pytest.raises(ValueError, match="zero_method must be one of"):
        stats.wilcoxon_pairs(pairs_table(d), zero_method="drop")
