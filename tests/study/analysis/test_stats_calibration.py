"""Calibration adherence: how raters scored the NN (anchor 1) and HR (anchor 5) versions."""

from __future__ import annotations

import pandas as pd

from study.analysis import stats


def rows(rater: str, method: str, scores: list[int]) -> list[tuple]:
    return [(rater, "BSD100", f"i{k}", method, s) for k, s in enumerate(scores)]


def test_it_checks_each_rater_against_both_anchors():
    data = (
        rows("good", "nearest", [1, 1, 2, 1, 2])
        + rows("good", "hr", [5, 4, 5, 5, 5])
        + rows("inverted", "nearest", [4, 5, 4, 3, 5])
        + rows("inverted", "hr", [2, 1, 1, 2, 1])
        # One slip each (a 3 for NN, a 2 for HR): the means 1.4 and 4.4 still hold.
        + rows("slips", "nearest", [1, 3, 1, 1, 1])
        + rows("slips", "hr", [5, 5, 2, 5, 5])
        # Drifted: NN around 2.4 on average, HR fine.
        + rows("drifted", "nearest", [2, 3, 2, 3, 2])
        + rows("drifted", "hr", [5, 4, 5, 5, 4])
        + rows("only_hr", "hr", [5, 5, 5])
        + rows("no_anchor", "srgan", [3, 4])
    )
    df = pd.DataFrame(data, columns=["rater", "dataset", "image", "method", "score"])
    out = stats.calibration_adherence(df).set_index("rater")
    assert out.loc["good", "low_mean"] == 1.4
    assert out.loc["good", "high_within"] == 1.0
    assert out.loc["good", "calibration_ok"]
    assert not out.loc["inverted", "calibration_ok"]
    assert out.loc["inverted", "low_within"] == 0.0
    assert out.loc["slips", "low_within"] == 0.8
    assert out.loc["slips", "high_mean"] == 4.4
    assert out.loc["slips", "calibration_ok"]
    assert out.loc["drifted", "low_mean"] == 2.4
    assert out.loc["drifted", "low_within"] == 0.6
    assert not out.loc["drifted", "calibration_ok"]
    assert out.loc["only_hr", "low_n"] == 0
    assert out.loc["only_hr", "calibration_ok"]
    assert pd.isna(out.loc["no_anchor", "calibration_ok"])  # not judged, not failed
    strict = stats.calibration_adherence(df, tolerance=0.3).set_index("rater")
    assert not strict.loc["good", "calibration_ok"]  # NN mean 1.4 is 0.4 off
    lenient = stats.calibration_adherence(df, tolerance=1.5).set_index("rater")
    assert lenient.loc["drifted", "calibration_ok"]
    renamed = stats.calibration_adherence(df, low_method="srgan", low_score=3)
    assert renamed.set_index("rater").loc["no_anchor", "low_n"] == 2
