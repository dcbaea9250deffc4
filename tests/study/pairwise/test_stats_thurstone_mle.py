"""The Thurstone and Bradley-Terry fits against an independent SciPy optimisation.

The reference below is written separately: scores in JOD (not in units of sigma), all
of them free, the location pinned by a (sum q)^2 penalty instead of a fixed
reference, minimised by BFGS (not Newton) with its own gradient, then shifted.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize
from scipy import stats as sps

from study.pairwise import stats
from tests.study.pairwise.helpers import choices_from_wins

METHODS = ["bicubic", "srcnn", "srresnet-mse", "srgan-mse", "srgan-vgg54"]
# A fixed, unbalanced, strongly connected data set (wins[i][j]: i beat j).
WINS = np.array(
    [
        [0, 6, 2, 1, 1],
        [14, 0, 5, 3, 0],
        [30, 17, 0, 12, 9],
        [11, 9, 20, 0, 7],
        [24, 0, 25, 16, 0],
    ]
)


def reference_fit(wins: np.ndarray, *, link: str, prior_sd: float, ref: int) -> np.ndarray:
    n = len(wins)
    sigma = 1.0 / sps.norm.ppf(0.75)
    ridge = 0.0 if math.isinf(prior_sd) else 1.0 / prior_sd**2
    if link == "logit":  # the prior in logits: 1 JOD = log(3)
        ridge /= math.log(3.0) ** 2

    def prob_and_slope(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if link == "probit":
            return sps.norm.cdf(d / sigma), sps.norm.pdf(d / sigma) / sigma
        p = 1.0 / (1.0 + np.exp(-d))
        return p, p * (1.0 - p)

    def objective(q: np.ndarray) -> tuple[float, np.ndarray]:
        d = q[:, None] - q[None, :]
        p, slope = prob_and_slope(d)
        value = -np.sum(wins * np.log(p))
        r = wins * slope / p  # d(-log p)/d(q_i) = -r_ij, d/d(q_j) = +r_ij
        grad = -r.sum(axis=1) + r.sum(axis=0)
        c = q - q.mean()
        value += 0.5 * ridge * np.sum(c**2) + q.sum() ** 2
        grad += ridge * c + 2.0 * q.sum()
        return value, grad

    res = optimize.minimize(
        objective, np.zeros(n), jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 10_000}
    )
    return res.x - res.x[ref]


@pytest.mark.parametrize("prior_sd", [stats.PRIOR_SD, math.inf])
def test_it_matches_an_independent_thurstone_fit(prior_sd):
    choices = choices_from_wins(WINS, METHODS)
    ours = stats.thurstone_scale(choices, methods=METHODS, prior_sd=prior_sd)
    expected = reference_fit(WINS, link="probit", prior_sd=prior_sd, ref=0)
    assert list(ours.method) == METHODS
    np.testing.assert_allclose(ours.jod, expected, atol=1e-4)
    assert ours.jod.iloc[0] == 0.0


@pytest.mark.parametrize("prior_sd", [stats.PRIOR_SD, math.inf])
def test_it_matches_an_independent_bradley_terry_fit(prior_sd):
    choices = choices_from_wins(WINS, METHODS)
    ours = stats.bradley_terry(choices, methods=METHODS, reference="srgan-mse", prior_sd=prior_sd)
    expected = reference_fit(WINS, link="logit", prior_sd=prior_sd, ref=3)
    np.testing.assert_allclose(ours.bt_score, expected, atol=1e-4)


def test_it_moves_the_scale_by_far_less_than_its_ci_with_the_default_prior():
    choices = choices_from_wins(WINS, METHODS)
    with_prior = stats.thurstone_scale(choices, methods=METHODS).jod
    plain = stats.thurstone_scale(choices, methods=METHODS, prior_sd=math.inf).jod
    # About 60 choices per method here: the shrinkage stays below 1 % of each score.
    assert np.all(np.abs(with_prior - plain) <= 0.01 * np.abs(plain) + 1e-12)
    assert np.ptp(with_prior) < np.ptp(plain)  # it pulls the scores together


def test_it_keeps_a_unanimous_pair_finite_where_the_mle_is_infinite():
    sigma = stats.JOD_SIGMA
    for n, documented in ((1, 2.7), (26, 4.4), (1000, 5.8)):
        choices = choices_from_wins([[0, n], [0, 0]], ["srgan", "bicubic"], raters=1)
        jod = stats.thurstone_scale(choices, methods=["bicubic", "srgan"]).jod.iloc[1]

        # Stationary point of -n log Phi(d / sigma) + d^2 / (4 prior_sd^2), found by root search.
        def slope(d: float, n: int = n) -> float:
            mills = sps.norm.pdf(d / sigma) / sps.norm.cdf(d / sigma)
            return -n * mills / sigma + d / (2 * stats.PRIOR_SD**2)

        assert jod == pytest.approx(optimize.brentq(slope, 0.0, 50.0), abs=1e-6)
        assert round(jod, 1) == documented  # the figures the PRIOR_SD comment quotes
    with pytest.raises(ValueError, match="infinite"):
        stats.thurstone_scale(choices, prior_sd=math.inf)
