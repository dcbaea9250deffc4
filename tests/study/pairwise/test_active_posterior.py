"""The EP posterior: exact where it can be checked, consistent with the scale, and the
same whether computed from scratch or kept warm."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps

from study.pairwise import active, stats
from study.pairwise.simulate import simulate_full


def wins_of(choices, methods: list[str]) -> np.ndarray:
    index = {m: k for k, m in enumerate(methods)}
    loser = np.where(choices.winner == choices.method_a, choices.method_b, choices.method_a)
    return active.wins_matrix(
        len(methods), zip(choices.winner.map(index), [index[m] for m in loser], strict=True)
    )


def test_it_matches_the_exact_posterior_of_two_methods():
    # d = s_a - s_b has prior N(0, 2 prior_sd^2); 8 wins of a and 3 of b. One dimension:
    # the posterior's mean and variance by quadrature.
    sigma, prior_var = stats.JOD_SIGMA, 2 * stats.PRIOR_SD**2

    def density(d: float, power: int = 0) -> float:
        like = sps.norm.cdf(d / sigma) ** 8 * sps.norm.cdf(-d / sigma) ** 3
        return d**power * like * sps.norm.pdf(d, scale=np.sqrt(prior_var))

    mass, mean, second = (integrate.quad(density, -30, 30, args=(k,))[0] for k in range(3))
    mean /= mass
    var = second / mass - mean**2
    mu, cov = active.posterior(np.array([[0, 8], [3, 0]]))
    assert mu[0] - mu[1] == pytest.approx(mean, rel=0.01)
    assert cov[0, 0] + cov[1, 1] - 2 * cov[0, 1] == pytest.approx(var, rel=0.03)


def test_it_agrees_with_the_scale_when_data_dominate():
    methods = [f"m{k}" for k in range(12)]
    planted = dict(zip(methods, np.linspace(0.0, 4.0, 12), strict=True))
    choices = simulate_full(planted, dataset="x", images=2, raters=24, seed=3)
    wins = wins_of(choices, methods)
    assert wins.sum() == 24 * 2 * 66
    post = active.posterior(wins)
    scale = stats.fit_scores(wins)
    np.testing.assert_allclose(post.mu - post.mu[0], scale, atol=0.03)
    assert abs(post.mu.mean()) < 1e-12
    np.testing.assert_allclose(post.cov, post.cov.T, atol=1e-12)
    # The CIs of the scale and the posterior sd speak of the same uncertainty.
    assert np.all((np.sqrt(post.sigma2) > 0.05) & (np.sqrt(post.sigma2) < 0.2))


def test_it_keeps_a_unanimous_pair_finite_and_uncertainty_shrinking_with_data():
    previous = np.inf
    for n in (1, 10, 100, 1000):
        mu, cov = active.posterior(np.array([[0.0, n], [0.0, 0.0]]))
        assert np.all(np.isfinite(mu))
        assert mu[0] > mu[1]
        var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
        assert var < previous
        previous = var
    # No data: the prior itself, relative to the average: var (1 - 1/n) prior_sd^2.
    mu, cov = active.posterior(np.zeros((3, 3)))
    np.testing.assert_allclose(mu, 0.0)
    np.testing.assert_allclose(np.diag(cov), stats.PRIOR_SD**2 * (1 - 1 / 3))


def test_it_gives_the_same_posterior_warm_as_from_scratch():
    methods = ["a", "b", "c", "d", "e"]
    sampler = active.ActiveSampler(methods, ["i1", "i2"], seed=1)
    rng = np.random.default_rng(0)
    for _ in range(300):
        winner, loser = rng.choice(methods, 2, replace=False, p=[0.4, 0.3, 0.15, 0.1, 0.05])
        sampler.record(winner=str(winner), loser=str(loser))
        if rng.random() < 0.2:
            sampler.posterior()  # warm-starts the next one
    warm = sampler.posterior()
    cold = active.posterior(sampler.wins)
    np.testing.assert_allclose(warm.mu, cold.mu, atol=1e-8)
    np.testing.assert_allclose(warm.cov, cold.cov, atol=1e-8)


def test_it_refuses_malformed_counts():
    with pytest.raises(ValueError, match="square"):
        active.posterior(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="zero diagonal"):
        active.posterior(np.eye(2))
    with pytest.raises(ValueError, match="out of range"):
        active.wins_matrix(3, [(0, 3)])
