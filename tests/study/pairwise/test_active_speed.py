"""One choice stays under 50 ms on the paper's largest arms with ~3,000 comparisons.

Measured stateless (posterior from scratch, as a web request would), median of 20
choices; the budget is the issue's 50 ms, met by a wide margin (a few ms) on one
core, so a loaded 2-core machine passes too.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.special import ndtr

from study.pairwise import active, stats


@pytest.mark.parametrize(("n_methods", "n_images"), [(12, 19), (9, 100)])
def test_it_chooses_a_trial_in_under_50_ms(n_methods, n_images):
    rng = np.random.default_rng(0)
    q = np.linspace(0.0, 4.5, n_methods)
    pairs = [rng.choice(n_methods, 2, replace=False) for _ in range(3000)]
    won = [ndtr((q[i] - q[j]) / stats.JOD_SIGMA) > rng.random() for i, j in pairs]
    wins = active.wins_matrix(
        n_methods, [(i, j) if w else (j, i) for (i, j), w in zip(pairs, won, strict=True)]
    )
    n_pairs = n_methods * (n_methods - 1) // 2
    used = rng.integers(0, 3, size=(n_pairs, n_images))
    seen = np.zeros_like(used)
    methods = [f"m{k}" for k in range(n_methods)]
    images = [f"img{k}" for k in range(n_images)]
    seconds = []
    for k in range(20):
        start = time.perf_counter()
        active.choose_trial(
            methods=methods, images=images, wins=wins, used=used, seen=seen,
            rng=active.rng_for(0, "r1", k),
        )  # fmt: skip
        seconds.append(time.perf_counter() - start)
    assert np.median(seconds) < 0.050, np.median(seconds)
