"""2AFC fool rate: counts, Clopper-Pearson interval and binomial p as SciPy's."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats as sps

from study.pairwise import stats


def trials() -> pd.DataFrame:
    rows = [("Set14", "srgan-vgg54", k < 41) for k in range(100)]
    rows += [("Set14", "bicubic", k < 3) for k in range(60)]
    rows += [("BSD100", "srgan-vgg54", k % 2 == 0) for k in range(50)]
    return pd.DataFrame(rows, columns=["dataset", "method", "chose_generated"])


def test_it_reports_rate_exact_interval_and_p_per_dataset_and_method():
    out = stats.fool_rate(trials())
    assert list(out.columns) == [
        "dataset", "method", "n", "chose_generated", "rate", "ci95_low", "ci95_high", "p"
    ]  # fmt: skip
    assert list(zip(out.dataset, out.method, out.n, out.chose_generated, strict=True)) == [
        ("Set14", "srgan-vgg54", 100, 41),
        ("Set14", "bicubic", 60, 3),
        ("BSD100", "srgan-vgg54", 50, 25),
    ]
    for row in out.itertuples():
        test = sps.binomtest(row.chose_generated, row.n, 0.5)
        ci = test.proportion_ci(confidence_level=0.95, method="exact")
        assert (row.ci95_low, row.ci95_high, row.p) == (ci.low, ci.high, test.pvalue)
        assert row.rate == row.chose_generated / row.n
    # Clopper-Pearson by its definition: the beta quantiles.
    first = out.iloc[0]
    assert first.ci95_low == pytest.approx(sps.beta.ppf(0.025, 41, 60))
    assert first.ci95_high == pytest.approx(sps.beta.ppf(0.975, 42, 59))
    assert out.iloc[2].p == 1.0


def test_it_accepts_zero_one_and_refuses_anything_else_naming_the_row():
    df = trials()
    df["chose_generated"] = df["chose_generated"].astype(int)
    assert stats.fool_rate(df).chose_generated.tolist() == [41, 3, 25]
    df = df.astype({"chose_generated": object})
    df.loc[7, "chose_generated"] = "yes"
    with pytest.raises(ValueError, match=r"'chose_generated'.*'yes' at row 7"):
        stats.fool_rate(df)
    with pytest.raises(ValueError, match="missing column"):
        stats.fool_rate(df.drop(columns="method"))
