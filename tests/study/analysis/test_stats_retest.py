"""Test-retest agreement of the repeated items, as in the paper's pilot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from study.analysis import stats


def test_it_compares_first_and_second_ratings_per_method():
    first = [1, 2, 3, 4, 5, 3, 2, 4]
    second = [1, 3, 3, 4, 4, 3, 1, 5]
    rows = []
    for k, (a, b) in enumerate(zip(first, second, strict=True)):
        rows.append((f"r{k % 4}", "BSD100", f"i{k // 4}", "srgan", a, 0))
        rows.append((f"r{k % 4}", "BSD100", f"i{k // 4}", "srgan", b, 1))
    # A method rated once only (no repeat) has no row; a rater's unrepeated items neither.
    rows.append(("r0", "BSD100", "i0", "bicubic", 2, 0))
    rows.append(("r0", "BSD100", "i9", "srgan", 2, 0))
    df = pd.DataFrame(rows, columns=["rater", "dataset", "image", "method", "score", "repeat"])
    out = stats.retest(df)
    assert out[["dataset", "method"]].values.tolist() == [["BSD100", "srgan"]]
    row = out.iloc[0]
    x, y = np.array(first, float), np.array(second, float)
    assert row["n_pairs"] == 8
    assert row["share_identical"] == 4 / 8
    assert row["mean_abs_diff"] == 4 / 8
    assert (row["mean_first"], row["mean_second"]) == (x.mean(), y.mean())
    assert row["spearman_rho"] == pytest.approx(sps.spearmanr(x, y).statistic)
    direct = sps.wilcoxon(y - x)  # second - first
    assert row["statistic"] == direct.statistic
    assert row["p_value"] == pytest.approx(direct.pvalue)
    assert row["p_value"] > 0.05  # two up, two down: no systematic shift


def test_it_returns_no_rows_without_retest_items():
    df = pd.DataFrame(
        {"rater": ["a"], "dataset": ["D"], "image": ["i"], "method": ["m"], "score": [3]}
    )
    out = stats.retest(df)
    assert out.empty
    assert "share_identical" in out.columns
