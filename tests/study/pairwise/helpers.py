"""Small builders shared by the pairwise tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def choices_from_wins(
    wins: np.ndarray | list[list[int]],
    methods: list[str],
    *,
    dataset: str = "Set14",
    raters: int = 3,
) -> pd.DataFrame:
    """A choices table whose pooled win matrix is ``wins`` (``wins[i][j]``: i beat j).

    Choices are dealt to the raters in turn and alternate sides, so neither the rater
    nor the side carries the result.
    """
    rows = []
    k = 0
    wins = np.asarray(wins, dtype=int)
    for i, j in zip(*np.nonzero(wins), strict=True):
        for _ in range(wins[i, j]):
            a, b = (methods[i], methods[j]) if k % 2 else (methods[j], methods[i])
            rows.append((f"r{k % raters}", dataset, f"img{k % 5}", a, b, methods[i]))
            k += 1
    return pd.DataFrame(
        rows, columns=["rater", "dataset", "image", "method_a", "method_b", "winner"]
    )
