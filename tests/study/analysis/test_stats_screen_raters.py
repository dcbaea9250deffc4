"""screen_raters marks suspicious raters with reasons; excluding them stays explicit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from study.analysis import stats
from study.analysis.simulate import simulate_ratings
from tests.study.analysis.reference import nflx_ratings

COLUMNS = [
    "rater",
    "n",
    "simulated",
    "calibration_ok",
    "bt500_rejected",
    "corr_with_mos",
    "score_std",
    "straight_liner",
    "p910_bias",
    "p910_inconsistency",
    "median_server_ms",
    "too_fast",
    "flagged",
    "reasons",
]


def panel() -> pd.DataFrame:
    methods = ["nearest", "bicubic", "srresnet-mse", "srgan-vgg54", "hr"]
    quality = [1.2, 1.8, 2.6, 3.6, 4.5]
    stimuli = pd.DataFrame(
        {
            "dataset": "BSD100",
            "image": np.repeat([f"i{k:02d}" for k in range(20)], len(methods)),
            "method": methods * 20,
            "quality": quality * 20,
        }
    )
    df = simulate_ratings(stimuli=stimuli, n_raters=20, seed=11)
    template = df[df["rater"] == "sim0001"]
    rng = np.random.default_rng(4)
    random = template.assign(rater="random", score=rng.integers(1, 6, len(template)))
    liner = template.assign(rater="liner", score=4)
    flipped = template.assign(rater="flipped", score=6 - template["score"])
    human = template.assign(rater="human", simulated=False)
    return pd.concat([df, random, liner, flipped, human], ignore_index=True)


def test_it_flags_planted_bad_raters_with_their_reasons():
    out = stats.screen_raters(panel()).set_index("rater")
    assert list(out.reset_index().columns) == COLUMNS
    reasons = out["reasons"].str.split(";")
    assert "straight_lining" in reasons["liner"]
    assert "low_correlation" in reasons["random"]
    assert "inconsistent" in reasons["random"]
    assert "calibration" in reasons["flipped"]
    assert "low_correlation" in reasons["flipped"]
    assert out.loc[["random", "liner", "flipped"], "flagged"].all()
    good = out.drop(index=["random", "liner", "flipped"])
    assert good["flagged"].sum() <= 1  # simulated honest raters pass
    assert not out.loc["human", "simulated"]
    assert out.loc["sim0003", "simulated"]
    assert (out.loc[~out["flagged"], "reasons"] == "").all()


def test_it_marks_the_bt500_rejection_on_the_netflix_data_and_excludes_only_on_request():
    df = nflx_ratings()
    out = stats.screen_raters(df)
    assert out.loc[out["bt500_rejected"], "rater"].tolist() == ["r03"]
    assert out.loc[out["flagged"], "rater"].tolist() == ["r03"]
    assert out.set_index("rater").loc["r03", "reasons"] == "bt500"
    assert out["calibration_ok"].isna().all()  # no NN / HR versions in this data set
    assert len(df) == 26 * 79  # screening changed nothing
    kept = stats.exclude_raters(df, out.loc[out["flagged"], "rater"])
    assert sorted(kept["rater"].unique()) == sorted(set(df["rater"]) - {"r03"})
