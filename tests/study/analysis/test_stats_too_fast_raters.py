"""screen_raters flags a rater whose median server-timed response is below the floor."""

from __future__ import annotations

import numpy as np
import pandas as pd

from study.analysis import stats


def panel(server_ms: dict[str, list[float | None]]) -> pd.DataFrame:
    rows = []
    for rater, times in server_ms.items():
        for k, ms in enumerate(times):
            rows.append(
                {
                    "rater": rater,
                    "dataset": "d",
                    "image": f"i{k}",
                    "method": "m",
                    "score": 1 + k % 5,
                    "server_ms": ms,
                }
            )
    frame = pd.DataFrame(rows)
    frame["server_ms"] = pd.array(frame["server_ms"], dtype="Int64")
    return frame


def test_it_flags_medians_below_the_floor_and_not_missing_times():
    ratings = panel(
        {
            "script": [150, 180, 200, 5000, 190],  # one slow item does not move the median
            "careful": [900, 1200, 450, 2000, 1100],
            "imported": [None] * 5,
        }
    )
    out = stats.screen_raters(ratings).set_index("rater")
    assert out["median_server_ms"].to_dict()["script"] == 190
    assert out["median_server_ms"].to_dict()["careful"] == 1100
    assert np.isnan(out.at["imported", "median_server_ms"])
    assert out["too_fast"].to_dict() == {"careful": False, "imported": False, "script": True}
    assert "too_fast" in out.at["script", "reasons"].split(";")
    loose = stats.screen_raters(ratings, min_response_ms=100).set_index("rater")
    assert not loose["too_fast"].any()


def test_it_flags_nobody_without_server_times():
    ratings = panel({"a": [None] * 5, "b": [None] * 5}).drop(columns="server_ms")
    out = stats.screen_raters(ratings)
    assert out["median_server_ms"].isna().all()
    assert not out["too_fast"].any()
