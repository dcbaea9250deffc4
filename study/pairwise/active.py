"""Active sampling of pairwise comparisons: ASAP-approx, written from the paper.

Mikhailiuk, Wilmot, Perez-Ortiz, Yue, Mantiuk, "Active Sampling for Pairwise
Comparisons via Approximate Message Passing and Information Gain Maximization",
ICPR 2020. One arm (a dataset) at a time; its conditions are the arm's methods.

1. Posterior (:func:`posterior`). Each method's score ``s_i`` has a Gaussian prior
   ``N(0, prior_sd^2)``; a comparison "i beat j" is the Thurstone Case V factor
   ``Phi((s_i - s_j) / beta)``, ``beta = JOD_SIGMA`` so that scores are in JOD: the
   model whose posterior mode :mod:`study.pairwise.stats` reports as the scale. The
   posterior is approximated by a Gaussian by expectation propagation over all the
   comparisons so far, iterated to convergence (the paper's full posterior update,
   not the online one).
2. Expected information gain (:func:`information_gain`). For a candidate pair (i, j)
   and each outcome, the approximate update moment-matches the current posterior times
   the outcome's probit factor, in closed form; the gain is the KL divergence from the
   current posterior to the updated one, weighted by the predictive probability of the
   outcome ``Phi((mu_i - mu_j) / sqrt(beta^2 + v_ij))``. This closed form is what makes
   the "approx" variant cheap: all pairs at once, no inference per pair.
3. The pair of largest gain is compared next (:func:`next_pair`; exact ties go to a
   seeded draw). The paper's batch mode (a minimum spanning tree of 1/gain) is not
   used: every rater asks for one trial at a time.

Then the image (:func:`choose_image`): the one this rater has seen least with that
pair (never repeated while an unseen one remains), then the one the pair has been
shown on least overall, remaining ties drawn from the seeded generator.

One departure from TrueSkill's form, measured. TrueSkill (and the paper's message
passing) keeps a fully factorised posterior ``prod_i N(mu_i, sigma2_i)``. Written that
way first, its sweeps converged in hundreds to thousands of iterations on exactly the
comparison graphs active sampling builds (clusters of close methods, few links between
them: each sweep only passes a message one edge further), i.e. 0.1-0.3 s per
posterior, and it ignores what transitivity already tells (a-b and b-c measured make
a-c known). Here the Gaussian keeps its full covariance (EP for probit regression,
Minka 2001, the feature of "i beat j" being ``e_i - e_j``): every sweep solves the
whole n x n system, so 10-300 sweeps suffice for any graph (1-10 ms for 12 methods),
and the gain of a pair uses the variance of the difference ``v_ij = cov_ii + cov_jj -
2 cov_ij``. Because the factor depends on ``s_i - s_j`` only, the KL of the whole
updated posterior equals that of this one-dimensional marginal: the closed form stays
exact for the approximate update, as in the paper.

Tied factors. k identical comparisons ("i beat j", k times) share one EP site, counted
k times: this is exactly the fixed point of EP with k separate but equal sites, and it
makes a sweep cost O(n^3) in the methods whatever the number of comparisons. Sweeps
update every site in parallel, with per-site adaptive damping (see
:func:`_expectation_propagation`); the posterior is a function of the win counts (up to
the 1e-10 convergence tolerance), whatever their order.

Pure NumPy/SciPy; nothing of Django.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple, cast

import numpy as np
from scipy.special import log_ndtr, ndtr

from study.pairwise.stats import JOD_SIGMA, PRIOR_SD, Float64Array, Int64Array

__all__ = [
    "PRIOR_SD",
    "ActiveSampler",
    "Posterior",
    "Trial",
    "choose_image",
    "choose_trial",
    "information_gain",
    "next_pair",
    "pair_indices",
    "posterior",
    "rng_for",
    "wins_matrix",
]

_DAMPING = 0.7
_TOL = 1e-10
_MAX_SWEEPS = 1000


class Posterior(NamedTuple):
    """The Gaussian posterior of the methods' scores, in JOD.

    ``mu`` averages 0 (exactly: the likelihood sees only differences, so the average
    keeps its prior mean). ``cov`` is the covariance of the scores relative to their
    average, i.e. without the prior's variance of the average itself, which no
    comparison can reduce; differences of scores have the same variance either way.
    """

    mu: Float64Array
    cov: Float64Array

    @property
    def sigma2(self) -> Float64Array:
        """Each score's variance (relative to the arm's average)."""
        return np.diag(self.cov).copy()


class Trial(NamedTuple):
    """One comparison to show: two methods (in the arm's order) on one image."""

    image: str
    method_a: str
    method_b: str


class _Sites(NamedTuple):
    """One comparison's Gaussian site on ``d = s_row - s_column`` for every ordered pair
    (row beat column): precision ``tau`` and precision x mean ``nu``."""

    tau: Float64Array
    nu: Float64Array


def wins_matrix(n_methods: int, comparisons: Iterable[tuple[int, int]]) -> Float64Array:
    """``wins[i, j]``: how often i beat j, from ``(winner, loser)`` index pairs."""
    wins = np.zeros((n_methods, n_methods))
    pairs = np.asarray(list(comparisons), dtype=np.int64).reshape(-1, 2)
    if len(pairs) and (pairs.min() < 0 or pairs.max() >= n_methods):
        raise ValueError(f"comparisons: method index out of range 0..{n_methods - 1}")
    if (pairs[:, 0] == pairs[:, 1]).any():
        raise ValueError("comparisons: a method compared with itself")
    np.add.at(wins, (pairs[:, 0], pairs[:, 1]), 1.0)
    return wins


def posterior(
    wins: Float64Array, *, beta: float = JOD_SIGMA, prior_sd: float = PRIOR_SD
) -> Posterior:
    """The EP posterior over the scores given the win counts ``wins[i, j]`` (i beat j)."""
    return _expectation_propagation(_check_wins(wins), beta=beta, prior_sd=prior_sd)[0]


def _check_wins(wins: Float64Array) -> Float64Array:
    wins = np.asarray(wins, dtype=float)
    if wins.ndim != 2 or wins.shape[0] != wins.shape[1]:
        raise ValueError(f"wins must be a square matrix, got shape {wins.shape}")
    if not np.isfinite(wins).all() or (wins < 0).any() or np.diag(wins).any():
        raise ValueError("wins must hold finite non-negative counts and a zero diagonal")
    return wins


def _expectation_propagation(
    wins: Float64Array, *, beta: float, prior_sd: float, sites: _Sites | None = None
) -> tuple[Posterior, _Sites]:
    """Parallel EP sweeps to convergence, from ``sites`` (a warm start) or from nothing.

    Damping is per factor and adaptive: k tied copies respond to their own update k
    times over, and a nearly unanimous pair (its factor deep in the tail) then
    overshoots back and forth, chaotically for k in the hundreds. A factor whose step
    changes sign has its damping halved; otherwise it grows back towards
    :data:`_DAMPING`.
    """
    n = len(wins)
    if sites is None:
        sites = _Sites(np.zeros((n, n)), np.zeros((n, n)))
    used = wins > 0
    prior_tau = 1.0 / prior_sd**2
    mu, cov = _gaussian(wins, sites, prior_tau)
    damping = np.full((n, n), _DAMPING)
    last_step = np.zeros((n, n))
    for _ in range(_MAX_SWEEPS):
        fresh = _site_update(mu, cov, sites, beta)
        step = fresh.nu - sites.nu
        damping = np.where(step * last_step < 0, 0.5 * damping, np.minimum(1.1 * damping, _DAMPING))
        last_step = step
        sites = _Sites(
            *(
                np.where(used, old + damping * (new - old), 0.0)
                for old, new in zip(sites, fresh, strict=True)
            )
        )
        mu_new, cov_new = _gaussian(wins, sites, prior_tau)
        moved = max(
            np.max(np.abs(mu_new - mu)),
            np.max(np.abs(np.log(np.diag(cov_new) / np.diag(cov)))),
        )
        mu, cov = mu_new, cov_new
        if moved < _TOL:
            centered = cov - prior_sd**2 / n  # the average's variance, see Posterior
            return Posterior(mu, centered), sites
    raise RuntimeError("active.posterior: expectation propagation did not converge")


def _gaussian(wins: Float64Array, sites: _Sites, prior_tau: float) -> tuple[Float64Array, ...]:
    """Mean and covariance of prior x every site (k times for k equal comparisons).

    A site on ``d = s_w - s_l`` adds ``tau (e_w - e_l)(e_w - e_l)^T`` to the precision
    and ``nu (e_w - e_l)`` to precision x mean.
    """
    n = len(wins)
    tau = wins * sites.tau
    nu = wins * sites.nu
    precision = -(tau + tau.T)
    precision[np.diag_indices(n)] = prior_tau + tau.sum(0) + tau.sum(1)
    cov = cast(Float64Array, np.linalg.inv(precision))
    return cov @ (nu.sum(1) - nu.sum(0)), cov


def _site_update(mu: Float64Array, cov: Float64Array, sites: _Sites, beta: float) -> _Sites:
    """Moment-matched site of one copy of every factor "row beat column", in parallel.

    The posterior marginal of ``d = s_w - s_l`` minus one copy's site is the cavity;
    times ``Phi(d / beta)`` it has closed-form moments; their Gaussian over the cavity
    is the new site (Minka's EP for probit regression, feature ``e_w - e_l``).
    """
    var = np.diag(cov)
    d_var = var[:, None] + var[None, :] - 2.0 * cov
    np.fill_diagonal(d_var, 1.0)
    d_mean = mu[:, None] - mu[None, :]
    cav_tau = 1.0 / d_var - sites.tau
    cav_nu = d_mean / d_var - sites.nu
    v, m = 1.0 / cav_tau, cav_nu / cav_tau
    mean, new_var = _win_update(m, v, beta)
    return _Sites(1.0 / new_var - cav_tau, mean / new_var - cav_nu)


def _win_update(m: Float64Array, v: Float64Array, beta: float) -> tuple[Float64Array, Float64Array]:
    """Mean and variance of ``d ~ N(m, v)`` times ``Phi(d / beta)`` (the winner ahead)."""
    c2 = beta**2 + v
    t = m / np.sqrt(c2)
    mills = _mills(t)
    return m + v * mills / np.sqrt(c2), v * (1.0 - v * mills * (mills + t) / c2)


def _mills(t: Float64Array) -> Float64Array:
    """phi(t) / Phi(t), from logs so that it stays finite far in the lower tail."""
    mills: Float64Array = np.exp(-0.5 * t * t - 0.5 * np.log(2 * np.pi) - log_ndtr(t))
    return mills


def information_gain(
    mu: Float64Array, cov: Float64Array, *, beta: float = JOD_SIGMA
) -> Float64Array:
    """Expected information gain of comparing i with j, for every pair: ``(n, n)``.

    ``E_outcome[KL(updated || current)]``, the update being the closed-form moment
    match of the current posterior times the outcome's probit factor. The factor
    depends on ``d = s_i - s_j`` only, so the KL of the whole posterior equals that of
    the marginal of d: ``N(mu_i - mu_j, v)``, ``v = cov_ii + cov_jj - 2 cov_ij``.
    Symmetric, zero on the diagonal.
    """
    mu = np.asarray(mu, dtype=float)
    cov = np.asarray(cov, dtype=float)
    var = np.diag(cov)
    v = np.maximum(var[:, None] + var[None, :] - 2.0 * cov, 0.0)
    c2 = beta**2 + v
    t = (mu[:, None] - mu[None, :]) / np.sqrt(c2)
    p_i: Float64Array = ndtr(t)
    gain = p_i * _kl_after(t, v, c2) + (1.0 - p_i) * _kl_after(-t, v, c2)
    np.fill_diagonal(gain, 0.0)
    return gain


def _kl_after(t: Float64Array, v: Float64Array, c2: Float64Array) -> Float64Array:
    """KL(updated || current) of ``d ~ N(m, v)`` after the outcome of z-score ``t``.

    The update moves the mean by ``v * mills / c`` and scales the variance by
    ``r = 1 - v * mills * (mills + t) / c^2``; the Gaussian KL is then
    ``(r - 1 - log r + shift^2 / v) / 2``.
    """
    mills = _mills(t)
    shrink = v * mills * (mills + t) / c2
    return 0.5 * (-shrink - np.log1p(-shrink) + v * mills**2 / c2)


def next_pair(
    mu: Float64Array,
    cov: Float64Array,
    *,
    beta: float = JOD_SIGMA,
    rng: np.random.Generator | None = None,
) -> tuple[int, int]:
    """The pair ``(i, j)``, ``i < j``, of largest expected information gain.

    Pairs within 1e-12 (relative) of the best are ties, drawn by ``rng`` (the first
    of them without one): at the start every pair ties.
    """
    gain = information_gain(mu, cov, beta=beta)
    i, j = np.triu_indices(len(gain), k=1)
    if len(i) == 0:
        raise ValueError("next_pair: an arm needs at least two methods")
    values = gain[i, j]
    best = np.flatnonzero(values >= values.max() * (1.0 - 1e-12))
    k = best[0] if rng is None or len(best) == 1 else rng.choice(best)
    return int(i[k]), int(j[k])


def choose_image(used: Int64Array, seen: Int64Array, rng: np.random.Generator) -> int:
    """Index of the image for a chosen pair.

    ``used[k]``: trials of the pair on image k so far (every rater, answered or not);
    ``seen[k]``: those of this rater. Least seen by the rater first, then least used,
    then a draw.
    """
    used = np.asarray(used)
    seen = np.asarray(seen)
    if used.shape != seen.shape or used.ndim != 1 or len(used) == 0:
        raise ValueError("choose_image: used and seen must be 1-D, one count per image")
    candidates = np.flatnonzero(seen == seen.min())
    candidates = candidates[used[candidates] == used[candidates].min()]
    return int(candidates[0] if len(candidates) == 1 else rng.choice(candidates))


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """A generator that is a function of ``seed`` and the keys (e.g. rater, trial number).

    Stateless, so a web process can rebuild the same draw from what it has stored.
    """
    words = [int(seed)] + [zlib.crc32(repr(k).encode()) for k in keys]
    return np.random.default_rng(words)


def pair_indices(n_methods: int) -> Int64Array:
    """``index[i, j]`` (``i != j``) of the unordered pair in ``triu_indices(n, 1)`` order."""
    i, j = np.triu_indices(n_methods, k=1)
    index = np.full((n_methods, n_methods), -1, dtype=np.int64)
    index[i, j] = index[j, i] = np.arange(len(i))
    return index


def choose_trial(
    *,
    methods: Sequence[str],
    images: Sequence[str],
    wins: Float64Array,
    used: Int64Array,
    seen: Int64Array,
    rng: np.random.Generator,
    beta: float = JOD_SIGMA,
    prior_sd: float = PRIOR_SD,
) -> Trial:
    """The next trial of one rater in one arm, from the arm's state (stateless form).

    ``wins[i, j]``: answered comparisons (i beat j) in the arm; ``used[p, k]`` and
    ``seen[p, k]``: trials of pair ``p`` (see :func:`pair_indices`) on image ``k``
    handed out so far, to anyone and to this rater. Recomputes the posterior from
    scratch; :class:`ActiveSampler` keeps it warm between choices instead.
    """
    mu, cov = posterior(wins, beta=beta, prior_sd=prior_sd)
    return _trial(methods, images, mu, cov, used, seen, rng, beta)


def _trial(
    methods: Sequence[str],
    images: Sequence[str],
    mu: Float64Array,
    cov: Float64Array,
    used: Int64Array,
    seen: Int64Array,
    rng: np.random.Generator,
    beta: float,
) -> Trial:
    i, j = next_pair(mu, cov, beta=beta, rng=rng)
    p = pair_indices(len(methods))[i, j]
    k = choose_image(used[p], seen[p], rng)
    return Trial(images[k], methods[i], methods[j])


class ActiveSampler:
    """The ASAP-approx state of one arm, updated in place.

    ``choose(rater)`` hands out a trial (and counts it as used), ``record(...)`` adds
    an answer. The EP sites of the last posterior are kept and warm-start the next
    one, which then needs a few sweeps instead of a few hundred; the result is the
    same as :func:`posterior` on the same counts, to the convergence tolerance. Draws
    come from :func:`rng_for` ``(seed, rater, n)`` for the rater's n-th trial, so the
    choices are a function of the seed and the sequence of calls.
    """

    def __init__(
        self,
        methods: Sequence[str],
        images: Sequence[str],
        *,
        seed: int = 0,
        beta: float = JOD_SIGMA,
        prior_sd: float = PRIOR_SD,
    ) -> None:
        self.methods = [str(m) for m in methods]
        self.images = [str(i) for i in images]
        if len(set(self.methods)) != len(self.methods) or len(self.methods) < 2:
            raise ValueError(f"ActiveSampler: methods must be 2+ distinct keys, got {methods}")
        if len(set(self.images)) != len(self.images) or not self.images:
            raise ValueError("ActiveSampler: images must be 1+ distinct keys")
        self.seed, self.beta, self.prior_sd = seed, beta, prior_sd
        n = len(self.methods)
        self.wins = np.zeros((n, n))
        self.used = np.zeros((n * (n - 1) // 2, len(self.images)), dtype=np.int64)
        self.seen: dict[str, Int64Array] = {}
        self._method = {m: k for k, m in enumerate(self.methods)}
        self._image = {m: k for k, m in enumerate(self.images)}
        self._pair = pair_indices(n)
        self._sites: _Sites | None = None
        self._posterior: Posterior | None = None

    def posterior(self) -> Posterior:
        if self._posterior is None:
            self._posterior, self._sites = _expectation_propagation(
                self.wins, beta=self.beta, prior_sd=self.prior_sd, sites=self._sites
            )
        return self._posterior

    def choose(self, rater: str) -> Trial:
        seen = self.seen.setdefault(str(rater), np.zeros_like(self.used))
        rng = rng_for(self.seed, str(rater), int(seen.sum()))
        mu, cov = self.posterior()
        trial = _trial(self.methods, self.images, mu, cov, self.used, seen, rng, self.beta)
        self.assign(rater, trial)
        return trial

    def assign(self, rater: str, trial: Trial) -> None:
        """Count a trial handed out to ``rater`` (``choose`` does it itself)."""
        p = self._pair[self._method[trial.method_a], self._method[trial.method_b]]
        k = self._image[trial.image]
        self.used[p, k] += 1
        self.seen.setdefault(str(rater), np.zeros_like(self.used))[p, k] += 1

    def record(self, *, winner: str, loser: str) -> None:
        """Add one answered comparison of the arm."""
        self.wins[self._method[winner], self._method[loser]] += 1
        self._posterior = None
