"""Per-rater agreement with the leave-one-out MOS, and the straight-lining rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from study.analysis import stats
from study.analysis.simulate import simulate_ratings


def study() -> pd.DataFrame:
    stimuli = pd.DataFrame(
        {
            "dataset": "Set14",
            "image": np.repeat([f"i{k}" for k in range(6)], 3),
            "method": np.tile(["nearest", "srgan", "hr"], 6),
            "quality": np.tile([1.3, 3.5, 4.5], 6),
        }
    )
    df = simulate_ratings(stimuli=stimuli, n_raters=8, seed=2)
    # A straight-liner: always 3. Drop one of rater 2's ratings (missing data).
    liner = df[df["rater"] == "sim0001"].assign(rater="liner", score=3)
    return pd.concat([df, liner]).drop(index=df.index[(df["rater"] == "sim0002")][:1])


def test_it_correlates_each_rater_with_the_others_mean():
    df = study()
    out = stats.rater_agreement(df).set_index("rater")
    for rater in ("sim0002", "sim0005"):
        mine = df[df["rater"] == rater].set_index(["image", "method"])["score"]
        others = df[df["rater"] != rater].groupby(["image", "method"])["score"].mean()
        others = others.loc[mine.index]
        assert out.loc[rater, "pearson"] == pytest.approx(sps.pearsonr(mine, others).statistic)
        assert out.loc[rater, "spearman"] == pytest.approx(sps.spearmanr(mine, others).statistic)
        assert out.loc[rater, "score_std"] == pytest.approx(mine.std())
        assert out.loc[rater, "n"] == len(mine)
    assert out.loc["sim0002", "n"] == 17


def test_it_flags_the_straight_liner_and_no_one_else():
    out = stats.rater_agreement(study()).set_index("rater")
    assert out.loc["liner", "straight_liner"]
    assert out.loc["liner", "mode_share"] == 1.0
    assert out.loc["liner", "score_std"] == 0.0
    assert np.isnan(out.loc["liner", "pearson"])  # a constant has no correlation
    assert out["straight_liner"].sum() == 1
    assert (out.drop(index="liner")["pearson"] > 0.7).all()


def test_it_does_not_judge_too_few_ratings():
    df = pd.DataFrame(
        {"rater": "a", "dataset": "D", "image": ["x", "y", "z"], "method": "m", "score": 3}
    )
    out = stats.rater_agreement(df)
    assert out.loc[0, "mode_share"] == 1.0
    assert not out.loc[0, "straight_liner"]
    assert stats.rater_agreement(df, min_ratings=3).loc[0, "straight_liner"]
