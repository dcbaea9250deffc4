"""Bad ratings tables are refused with an error naming the column, row and value."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from study.analysis import stats
from tests.services import ROOT


def table(**overrides) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "rater": ["a", "a", "b", "b"],
            "dataset": "Set5",
            "image": ["baby", "bird", "baby", "bird"],
            "method": "bicubic",
            "score": [1, 2, 3, 4],
            "repeat": 0,
        }
    )
    for column, values in overrides.items():
        df[column] = values
    return df


def test_it_accepts_a_valid_table_and_defaults_repeat_to_zero():
    df = stats.validate_ratings(table().drop(columns="repeat"))
    assert df["repeat"].tolist() == [0, 0, 0, 0]
    assert df["score"].dtype == "int64"


def test_it_names_a_missing_column():
    with pytest.raises(ValueError, match=r"missing column.*'score'"):
        stats.validate_ratings(table().drop(columns="score"))


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("score", [1, 2, 6, 4], r"'score' must be one of \[1, 2, 3, 4, 5\], got 6 at row 2"),
        ("score", [1, 2.5, 3, 4], r"'score' .* got 2.5 at row 1"),
        ("score", [1, "x", 3, 4], r"'score' .* got 'x' at row 1"),
        ("score", [1, None, 3, 4], r"'score' is empty at row 1"),
        ("repeat", [0, 2, 0, 0], r"'repeat' must be one of \[0, 1\], got 2 at row 1"),
        ("rater", ["a", None, "b", "b"], r"'rater' is empty at row 1"),
    ],
)
def test_it_names_the_bad_value_and_row(column, values, message):
    with pytest.raises(ValueError, match=message):
        stats.validate_ratings(table(**{column: values}))


def test_it_refuses_the_same_rating_twice():
    with pytest.raises(ValueError, match=r"rater='b'.*image='bird'.*repeat=0"):
        stats.validate_ratings(table(image=["baby", "bird", "bird", "bird"]))


def test_it_leaves_the_caller_table_untouched():
    df = table(score=[1.0, 2.0, 3.0, 4.0]).drop(columns="repeat")
    stats.mos(df)
    assert "repeat" not in df
    assert df["score"].dtype == "float64"


def test_it_excludes_raters_only_by_explicit_name():
    df = table()
    kept = stats.exclude_raters(df, ["a"])
    assert kept["rater"].unique().tolist() == ["b"]
    with pytest.raises(ValueError, match=r"unknown rater.*'zz'"):
        stats.exclude_raters(df, ["a", "zz"])


def test_it_imports_nothing_of_django():
    # study/__init__ loads Celery and Django, so load the two modules by path.
    code = (
        "import importlib.util, sys\n"
        "for name in ('stats', 'simulate'):\n"
        "    spec = importlib.util.spec_from_file_location(name, f'study/analysis/{name}.py')\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
