"""Expected information gain: the closed form against quadrature, and the pair it picks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps

from study.pairwise import active, stats


def numeric_gain(m: float, v: float) -> float:
    """E over the outcome of KL(moment-matched update || N(m, v)) by quadrature."""
    beta = stats.JOD_SIGMA
    total = 0.0
    for sign in (1.0, -1.0):

        def moment(d: float, k: int, sign: float = sign) -> float:
            return d**k * sps.norm.pdf(d, m, np.sqrt(v)) * sps.norm.cdf(sign * d / beta)

        lo, hi = m - 12 * np.sqrt(v), m + 12 * np.sqrt(v)
        p, first, second = (integrate.quad(moment, lo, hi, args=(k,))[0] for k in range(3))
        mean, var = first / p, second / p - (first / p) ** 2
        kl = 0.5 * (var / v - 1 - np.log(var / v) + (mean - m) ** 2 / v)
        total += p * kl
    return total


@pytest.mark.parametrize(("m", "v"), [(0.0, 1.0), (0.7, 0.3), (-2.0, 4.0), (3.0, 0.05)])
def test_it_equals_the_expected_kl_by_quadrature(m, v):
    mu = np.array([m, 0.0])
    cov = np.array([[v, 0.0], [0.0, 0.0]])
    assert active.information_gain(mu, cov)[0, 1] == pytest.approx(numeric_gain(m, v), rel=1e-6)


def test_it_uses_the_variance_of_the_difference_not_the_marginals():
    # Two strongly correlated scores: each is uncertain, their difference is not.
    cov = np.array([[1.0, 0.95, 0.0], [0.95, 1.0, 0.0], [0.0, 0.0, 1.0]])
    gain = active.information_gain(np.zeros(3), cov)
    assert gain[0, 1] == pytest.approx(numeric_gain(0.0, 0.1), rel=1e-6)
    assert gain[0, 2] == pytest.approx(numeric_gain(0.0, 2.0), rel=1e-6)
    np.testing.assert_allclose(gain, gain.T)
    assert np.all(np.diag(gain) == 0)


def test_it_picks_the_close_uncertain_pair_not_a_settled_or_a_foregone_one():
    # m0 and m1 look equal but their difference is already well measured; m1 and m2
    # are close and uncertain; m3 is far above everything (a foregone comparison).
    mu = np.array([0.0, 0.05, 0.4, 6.0])
    cov = np.diag([0.3, 0.3, 0.3, 0.3])
    cov[0, 1] = cov[1, 0] = 0.29
    assert active.next_pair(mu, cov) == (1, 2)
    gain = active.information_gain(mu, cov)
    assert gain[1, 2] > 5 * gain[0, 1]
    assert gain[1, 2] > 20 * gain[2, 3]


def test_it_draws_among_exact_ties_with_the_generator():
    mu, cov = np.zeros(4), np.eye(4)
    picks = {active.next_pair(mu, cov, rng=np.random.default_rng(s)) for s in range(40)}
    assert len(picks) == 6  # at the start every pair ties
    assert active.next_pair(mu, cov) == (0, 1)
