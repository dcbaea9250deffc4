"""Pairwise binomial tests: counts, SciPy's exact p-values, Holm by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from study.pairwise import stats
from tests.study.pairwise.helpers import choices_from_wins

METHODS = ["bicubic", "srresnet-mse", "srgan-mse", "srgan-vgg54"]
WINS = [
    [0, 7, 3, 1],
    [13, 0, 9, 6],
    [17, 11, 0, 8],
    [19, 14, 12, 0],
]


def test_it_counts_wins_per_unordered_pair_in_the_method_order():
    out = stats.pairwise_tests(choices_from_wins(WINS, METHODS), methods=METHODS)
    assert list(out.columns) == [
        "dataset", "method_a", "method_b", "n", "wins_a", "wins_b", "p", "p_holm", "significant"
    ]  # fmt: skip
    assert list(zip(out.method_a, out.method_b, strict=True)) == [
        (METHODS[i], METHODS[j]) for i in range(4) for j in range(i + 1, 4)
    ]
    for row in out.itertuples():
        i, j = METHODS.index(row.method_a), METHODS.index(row.method_b)
        assert (row.wins_a, row.wins_b, row.n) == (WINS[i][j], WINS[j][i], 20)


def test_it_gives_scipys_exact_two_sided_binomial_p_values():
    out = stats.pairwise_tests(choices_from_wins(WINS, METHODS), methods=METHODS)
    for row in out.itertuples():
        assert row.p == sps.binomtest(row.wins_a, row.n, 0.5).pvalue
    # 7 of 20: sum of the two tails, 2 * P(X <= 7) under Bin(20, 1/2).
    first = out.iloc[0]
    assert first.p == pytest.approx(2 * sum(sps.binom.pmf(k, 20, 0.5) for k in range(8)))


def test_it_applies_holm_within_each_dataset():
    # p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005 * 4 = 0.02, 0.01 * 3 = 0.03,
    # 0.03 * 2 = 0.06, 0.04 * 1 = 0.04 -> running max 0.02, 0.03, 0.06, 0.06.
    adjusted = stats.holm([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(stats.holm([0.5, np.nan, 0.6]), [1.0, np.nan, 1.0])

    out = stats.pairwise_tests(choices_from_wins(WINS, METHODS), methods=METHODS)
    np.testing.assert_allclose(out["p_holm"], stats.holm(out["p"]))
    assert (out["significant"] == (out["p_holm"] < 0.05)).all()
    # bicubic vs srgan-vgg54 (1 of 20) is significant; srgan-mse vs srgan-vgg54 is not.
    assert out.iloc[2].significant
    assert not out.iloc[5].significant


def test_it_keeps_datasets_apart_and_leaves_out_pairs_never_compared():
    a = choices_from_wins([[0, 9, 0], [1, 0, 0], [0, 0, 0]], ["x", "y", "z"], dataset="Set5")
    b = choices_from_wins([[0, 2, 5], [3, 0, 4], [1, 6, 0]], ["x", "y", "z"], dataset="BSD100")
    out = stats.pairwise_tests(pd.concat([b, a], ignore_index=True), methods=["x", "y", "z"])
    assert list(out.dataset) == ["BSD100"] * 3 + ["Set5"]
    set5 = out[out.dataset == "Set5"].iloc[0]
    assert (set5.method_a, set5.method_b, set5.wins_a, set5.wins_b) == ("x", "y", 9, 1)
    # Holm counts only the dataset's own pairs: Set5 has one test, so p_holm == p.
    assert set5.p_holm == set5.p


def test_it_needs_no_reference_so_the_orders_first_method_may_be_absent():
    out = stats.pairwise_tests(choices_from_wins(WINS, METHODS), methods=["hr", *METHODS])
    assert len(out) == 6
    assert out.iloc[0].method_a == "bicubic"
