"""Bad choices tables are refused with the column, the row and the value."""

from __future__ import annotations

import pandas as pd
import pytest

from study.pairwise import stats


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rater": ["r1", "r1", "r2", "r2"],
            "dataset": ["Set5"] * 4,
            "image": ["baby", "bird", "baby", "bird"],
            "method_a": ["bicubic", "srgan", "srgan", "bicubic"],
            "method_b": ["srgan", "bicubic", "bicubic", "srgan"],
            "winner": ["srgan", "srgan", "bicubic", "srgan"],
        },
        index=[10, 11, 12, 13],
    )


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("winner", "hr", r"winner 'hr' at row 12 is neither method_a 'srgan' nor method_b"),
        ("method_b", "srgan", r"method_a and method_b are both 'srgan' at row 12"),
        ("image", None, r"column 'image' is empty at row 12"),
    ],
)
def test_it_names_the_row_and_value_of_a_bad_choice(column, value, message):
    df = table()
    df.loc[12, column] = value
    for fn in (stats.pairwise_tests, stats.thurstone_scale, stats.scale_with_ci):
        with pytest.raises(ValueError, match=message):
            fn(df)


def test_it_refuses_missing_columns_and_unknown_or_absent_methods():
    with pytest.raises(ValueError, match=r"missing column\(s\) 'winner'"):
        stats.thurstone_scale(table().drop(columns="winner"))
    with pytest.raises(ValueError, match=r"method 'srgan' of dataset 'Set5' is not in methods"):
        stats.thurstone_scale(table(), methods=["bicubic", "hr"])
    with pytest.raises(ValueError, match=r"no order given for dataset 'Set5'"):
        stats.thurstone_scale(table(), methods={"Set14": ["bicubic", "srgan"]})
    with pytest.raises(ValueError, match=r"reference: method 'hr' has no choice in dataset"):
        stats.thurstone_scale(table(), methods=["hr", "bicubic", "srgan"])
    with pytest.raises(ValueError, match=r"reference: method 'x' is not a method of dataset"):
        stats.thurstone_scale(table(), reference="x")
    with pytest.raises(TypeError, match="one string"):
        stats.thurstone_scale(table(), methods="bicubic")


def test_it_orders_by_first_appearance_unless_told_and_drops_absent_methods():
    out = stats.thurstone_scale(table())
    assert out.method.tolist() == ["bicubic", "srgan"]
    out = stats.thurstone_scale(table(), methods=["srgan", "hr", "bicubic"])
    assert out.method.tolist() == ["srgan", "bicubic"]
    assert out.jod.tolist()[0] == 0.0
    assert out.jod.tolist()[1] < 0  # srgan won 3 of 4
