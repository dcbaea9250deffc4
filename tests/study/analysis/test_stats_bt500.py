"""ITU-R BT.500 observer screening, against sureal's SubjrejMosModel and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from study.analysis import stats
from tests.study.analysis.reference import nflx_ratings, run_sureal, sureal_reader

# sureal 0.9.0 SubjrejMosModel on NFLX_public_raw.csv, obtained once with
#   python3 -m venv /tmp/sureal-np1
#   /tmp/sureal-np1/bin/pip install sureal==0.9.0 'numpy<2' 'pandas<2.3' \
#       'scipy<1.14' 'matplotlib<3.10'
# (Python 3.11.7, numpy 1.26.4, scipy 1.13.1, pandas 2.2.3), loading the CSV into
# sureal's dataset format as tests/study/analysis/reference.py does, then
# SubjrejMosModel(reader).run_modeling(): observer_rejected is true for r03 only.
# observer_rejected_1st_stats ((P + Q) / N per rater r01..r26, rounded to 4 places):
SUREAL_REJECTED = ["r03"]
SUREAL_RATIO = [
    0.0633, 0.038, 0.0759, 0.0759, 0.0253, 0.0759, 0.0759, 0.038, 0.038, 0.1519,
    0.0253, 0.0253, 0.0759, 0.0759, 0.0506, 0.0253, 0.0253, 0.0506, 0.0759, 0.0506,
    0.0253, 0.0253, 0.0506, 0.0633, 0.0506, 0.038,
]  # fmt: skip
# observer_rejected_2nd_stats (|P - Q| / (P + Q)):
SUREAL_ASYMMETRY = [
    0.6, 0.3333, 0.0, 0.3333, 0.0, 0.3333, 0.3333, 0.3333, 0.3333, 0.8333,
    0.0, 0.0, 0.6667, 0.6667, 0.5, 0.0, 0.0, 0.5, 0.6667, 0.5,
    0.0, 0.0, 0.5, 0.6, 0.5, 0.3333,
]  # fmt: skip


def test_it_rejects_the_raters_sureal_rejects_on_the_netflix_data():
    out = stats.bt500_screening(nflx_ratings())
    assert out.loc[out["rejected"], "rater"].tolist() == SUREAL_REJECTED
    assert (out["N"] == 79).all()
    r03 = out.set_index("rater").loc["r03"]
    assert (r03["P"], r03["Q"]) == (2, 2)  # 4 / 79 = 0.0506 > 0.05, |P - Q| = 0 < 0.3


def test_it_reproduces_sureal_statistics_in_sureal_mode():
    # ddof=0 and counting unanimous stimuli as both P and Q is exactly sureal's rule.
    out = stats.bt500_screening(nflx_ratings(), ddof=0, count_zero_variance=True)
    assert out["rater"].tolist() == [f"r{k:02d}" for k in range(1, 27)]
    np.testing.assert_allclose(out["ratio"], SUREAL_RATIO, atol=5e-5)
    np.testing.assert_allclose(out["asymmetry"], SUREAL_ASYMMETRY, atol=5e-5)
    assert out.loc[out["rejected"], "rater"].tolist() == SUREAL_REJECTED


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # sureal's own 0/0 on unanimous stimuli
def test_it_agrees_with_sureal_run_live_when_it_runs_here():
    df = nflx_ratings()
    reader, _ = sureal_reader(df)  # skips when sureal is not installed
    from sureal.subjective_model import SubjrejMosModel

    try:
        result = run_sureal(SubjrejMosModel, reader)
    except Exception as exc:  # sureal 0.9.0 is meant for NumPy < 2; the pins above hold
        pytest.skip(f"sureal SubjrejMosModel does not run with this NumPy: {exc}")
    observers = reader._get_list_observers()
    live = [
        o for o, rejected in zip(observers, result["observer_rejected"], strict=True) if rejected
    ]
    assert live == SUREAL_REJECTED
    ours = stats.bt500_screening(df, ddof=0, count_zero_variance=True)
    np.testing.assert_allclose(ours["ratio"], result["observer_rejected_1st_stats"], rtol=1e-12)


def test_it_counts_outliers_by_hand():
    # Stimulus s: 20 raters give 3, rater x gives 1 and rater y gives 5. Mean 3,
    # m2 = 8 / 22, m4 = 32 / 22, beta2 = m4 / m2^2 = 11: not normal, so the band is
    # +- sqrt(20) S = +- 2.70 and holds everyone.
    # Stimulus t: the 20 give 2 (x5), 3 (x10), 4 (x5), x gives 1 and y gives 5:
    # m2 = 18 / 22, m4 = 42 / 22, beta2 = 2.85, so the band is +- 2 S = +- 1.81 around 3,
    # which x's 1 and y's 5 leave.
    raters = [f"r{k:02d}" for k in range(20)] + ["x", "y"]
    s_scores = [3] * 20 + [1, 5]
    t_scores = [2] * 5 + [3] * 10 + [4] * 5 + [1, 5]
    rows = [(r, "D", "i", "s", v) for r, v in zip(raters, s_scores, strict=True)]
    rows += [(r, "D", "i", "t", v) for r, v in zip(raters, t_scores, strict=True)]
    df = pd.DataFrame(rows, columns=["rater", "dataset", "image", "method", "score"])
    out = stats.bt500_screening(df).set_index("rater")
    t = np.array(t_scores, dtype=float)
    m2 = np.mean((t - t.mean()) ** 2)
    beta2 = np.mean((t - t.mean()) ** 4) / m2**2
    assert beta2 == pytest.approx((42 / 22) / (18 / 22) ** 2)
    assert 2 <= beta2 <= 4
    upper, lower = t.mean() + 2 * np.sqrt(m2), t.mean() - 2 * np.sqrt(m2)
    assert lower > 1
    assert upper < 5
    assert (out.loc["x", "P"], out.loc["x", "Q"]) == (0, 1)
    assert (out.loc["y", "P"], out.loc["y", "Q"]) == (1, 0)
    assert out.loc["r00", ["P", "Q"]].tolist() == [0, 0]
    # x: (0 + 1) / 2 = 0.5 > 0.05 but |P - Q| / (P + Q) = 1 >= 0.3: one-sided, kept.
    assert out.loc["x", "ratio"] == 0.5
    assert out.loc["x", "asymmetry"] == 1.0
    assert not out["rejected"].any()
    assert np.isnan(out.loc["r00", "asymmetry"])


def test_it_skips_unanimous_stimuli_unless_asked():
    # Everyone gives the NN version a 1: a zero-width band every rating touches.
    rows = [(f"r{k}", "D", f"i{j}", "nearest", 1) for k in range(10) for j in range(3)]
    df = pd.DataFrame(rows, columns=["rater", "dataset", "image", "method", "score"])
    assert not stats.bt500_screening(df)["rejected"].any()
    literal = stats.bt500_screening(df, count_zero_variance=True)
    assert (literal["P"] == 3).all()
    assert (literal["Q"] == 3).all()
    assert literal["rejected"].all()
