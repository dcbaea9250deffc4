"""Multiple-comparison correction shared by every study kind's statistics (pure NumPy).

Imports no app, so the ACR analysis and the pairwise statistics both use it (it sits
with ``study.srgan2017`` in the shared bottom layer).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.float64]


def holm(p_values: Iterable[float]) -> FloatArray:
    """Holm (1979) step-down adjusted p-values, as R's ``p.adjust(p, "holm")``.

    NaN p-values (tests that could not be run) are left NaN and not counted in m.
    """
    p = np.asarray(list(p_values), dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    order = np.argsort(p[ok], kind="stable")
    scaled = (m - np.arange(m)) * p[ok][order]
    adjusted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    values = np.empty(m)
    values[order] = adjusted
    out[ok] = values
    return out
