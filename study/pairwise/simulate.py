"""Thurstone observers: simulated pairwise choices with planted scores, seeded.

An observer prefers method a to method b with probability ``Phi((q_a - q_b) / (sigma
* inconsistency))``, ``q`` the planted JOD scores, ``sigma = JOD_SIGMA`` (so a planted
difference of 1 JOD gives 75 % of choices for a consistent observer). Per-rater
options: ``inconsistency`` (a multiplier of sigma: 2 halves the observer's
discrimination), drawn log-normally around its value with ``inconsistency_spread``,
and ``rater_sd``, the sd of a per-rater, per-method offset added to the planted
scores once (raters who disagree on the order, which the bootstrap over raters must
see). Each rater draws from its own generator, a function of the seed and its name.

Two designs: :func:`simulate_full` (every pair of methods on every image, per rater,
or a balanced prefix of that) and :func:`simulate_active` (trials chosen one by one
by the ASAP-approx sampler from the answers so far, raters taking turns). Both return
the long choices table of :mod:`study.pairwise.stats`. Pure NumPy/SciPy/pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict, Unpack

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtr

from study.pairwise.active import ActiveSampler, rng_for
from study.pairwise.stats import CHOICE_COLUMNS, JOD_SIGMA

__all__ = ["Observer", "answer", "full_design", "observers", "simulate_active", "simulate_full"]

TRIAL_COLUMNS = ["rater", "dataset", "image", "method_a", "method_b"]


class Observer:
    """One simulated rater: its own scores, noise and random stream."""

    def __init__(
        self,
        scores: Mapping[str, float],
        *,
        rng: np.random.Generator,
        sigma: float = JOD_SIGMA,
        inconsistency: float = 1.0,
        rater_sd: float = 0.0,
    ) -> None:
        if sigma <= 0 or inconsistency <= 0 or rater_sd < 0:
            raise ValueError(
                f"Observer: sigma and inconsistency must be positive and rater_sd >= 0, "
                f"got {sigma}, {inconsistency}, {rater_sd}"
            )
        methods = sorted(str(m) for m in scores)
        offsets = rater_sd * rng.standard_normal(len(methods))
        self.scores: dict[str, float] = {
            m: float(scores[m]) + o for m, o in zip(methods, offsets, strict=True)
        }
        self.sigma = sigma * inconsistency
        self._rng = rng

    def prob(self, method_a: str, method_b: str) -> float:
        """P(this observer prefers ``method_a`` to ``method_b``)."""
        return float(ndtr((self._score(method_a) - self._score(method_b)) / self.sigma))

    def choose(self, method_a: str, method_b: str) -> str:
        return method_a if self._rng.random() < self.prob(method_a, method_b) else method_b

    def choose_many(
        self, method_a: npt.NDArray[np.object_], method_b: npt.NDArray[np.object_]
    ) -> npt.NDArray[np.object_]:
        """Winners of many trials at once (one uniform draw each, in order)."""
        q_a = np.array([self._score(m) for m in method_a], dtype=float)
        q_b = np.array([self._score(m) for m in method_b], dtype=float)
        a_wins = self._rng.random(len(q_a)) < ndtr((q_a - q_b) / self.sigma)
        return np.where(
            a_wins, np.asarray(method_a, dtype=object), np.asarray(method_b, dtype=object)
        )

    def _score(self, method: str) -> float:
        try:
            return self.scores[method]
        except KeyError:
            raise ValueError(f"Observer: no planted score for method {method!r}") from None


class ObserverOptions(TypedDict, total=False):
    """The keyword options of :func:`observers` that the simulations pass through."""

    inconsistency: float | Mapping[str, float]
    inconsistency_spread: float
    rater_sd: float
    sigma: float


def observers(
    raters: Sequence[str],
    scores: Mapping[str, float],
    *,
    seed: int,
    inconsistency: float | Mapping[str, float] = 1.0,
    inconsistency_spread: float = 0.0,
    rater_sd: float = 0.0,
    sigma: float = JOD_SIGMA,
) -> dict[str, Observer]:
    """One :class:`Observer` per rater. ``inconsistency`` is one value or one per rater;
    each is multiplied by ``exp(inconsistency_spread * z)``, z a standard normal."""
    out = {}
    for rater in map(str, raters):
        rng = rng_for(seed, "observer", rater)
        base = inconsistency[rater] if isinstance(inconsistency, Mapping) else inconsistency
        factor = float(base) * float(np.exp(inconsistency_spread * rng.standard_normal()))
        out[rater] = Observer(scores, rng=rng, sigma=sigma, inconsistency=factor, rater_sd=rater_sd)
    return out


def full_design(
    *,
    dataset: str,
    methods: Sequence[str],
    images: Sequence[str],
    raters: Sequence[str],
    seed: int,
    repeats: int = 1,
    comparisons_per_rater: int | None = None,
) -> pd.DataFrame:
    """Every pair of ``methods`` on every image, ``repeats`` times, for each rater.

    Columns ``rater, dataset, image, method_a, method_b``; sides are random and a
    rater's trials come in rounds, each round showing every pair once (on its next
    image, images shuffled per pair and rater) in a random order. So any prefix, and
    ``comparisons_per_rater`` keeps one, is balanced over the pairs.
    """
    methods = [str(m) for m in methods]
    i, j = np.triu_indices(len(methods), k=1)
    n_rounds = len(images) * repeats
    frames = []
    for rater in map(str, raters):
        rng = rng_for(seed, "design", rater)
        image = np.stack([rng.permutation(n_rounds) % len(images) for _ in i], axis=1)
        pair = np.stack([rng.permutation(len(i)) for _ in range(n_rounds)])
        image = np.take_along_axis(image, pair, axis=1).ravel()
        pair = pair.ravel()
        swap = rng.random(len(pair)) < 0.5
        a, b = np.where(swap, j[pair], i[pair]), np.where(swap, i[pair], j[pair])
        keep = slice(None) if comparisons_per_rater is None else slice(comparisons_per_rater)
        frames.append(
            pd.DataFrame(
                {
                    "rater": rater,
                    "dataset": str(dataset),
                    "image": np.asarray(images, dtype=object)[image][keep],
                    "method_a": np.asarray(methods, dtype=object)[a][keep],
                    "method_b": np.asarray(methods, dtype=object)[b][keep],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def answer(trials: pd.DataFrame, panel: Mapping[str, Observer]) -> pd.DataFrame:
    """The trials with a ``winner`` column, each rater's trials answered in order."""
    winner = pd.Series(index=trials.index, dtype=object)
    for rater, part in trials.groupby("rater", sort=False):
        observer = panel[str(rater)]
        winner[part.index] = observer.choose_many(
            part["method_a"].to_numpy(), part["method_b"].to_numpy()
        )
    return trials.assign(winner=winner.astype(str))


def simulate_full(
    scores: Mapping[str, float],
    *,
    dataset: str,
    images: Sequence[str] | int,
    raters: Sequence[str] | int,
    seed: int,
    methods: Sequence[str] | None = None,
    repeats: int = 1,
    comparisons_per_rater: int | None = None,
    **observer_options: Unpack[ObserverOptions],
) -> pd.DataFrame:
    """Choices of Thurstone observers on the full design (see :func:`full_design`).

    ``images`` and ``raters`` are names or a count (then ``img000``.., ``r000``..);
    ``methods`` defaults to the keys of ``scores``; ``observer_options`` go to
    :func:`observers`.
    """
    images, raters = _names(images, "img"), _names(raters, "r")
    methods = list(scores) if methods is None else list(methods)
    trials = full_design(
        dataset=dataset,
        methods=methods,
        images=images,
        raters=raters,
        seed=seed,
        repeats=repeats,
        comparisons_per_rater=comparisons_per_rater,
    )
    panel = observers(raters, scores, seed=seed, **observer_options)
    return answer(trials, panel).loc[:, list(CHOICE_COLUMNS)]


def simulate_active(
    scores: Mapping[str, float],
    *,
    dataset: str,
    images: Sequence[str] | int,
    raters: Sequence[str] | int,
    comparisons_per_rater: int,
    seed: int,
    methods: Sequence[str] | None = None,
    **observer_options: Unpack[ObserverOptions],
) -> pd.DataFrame:
    """Choices of Thurstone observers on trials chosen by :class:`ActiveSampler`.

    Raters take turns, one trial each per turn, and each answer is recorded before
    the next trial is chosen, as on a live study with raters working side by side.
    """
    images, raters = _names(images, "img"), _names(raters, "r")
    methods = list(scores) if methods is None else list(methods)
    sampler = ActiveSampler(methods, images, seed=seed)
    panel = observers(raters, scores, seed=seed, **observer_options)
    rows = []
    for _ in range(comparisons_per_rater):
        for rater in raters:
            trial = sampler.choose(rater)
            winner = panel[rater].choose(trial.method_a, trial.method_b)
            loser = trial.method_b if winner == trial.method_a else trial.method_a
            sampler.record(winner=winner, loser=loser)
            rows.append((rater, str(dataset), trial.image, trial.method_a, trial.method_b, winner))
    return pd.DataFrame(rows, columns=list(CHOICE_COLUMNS))


def _names(names: Sequence[str] | int, prefix: str) -> list[str]:
    if isinstance(names, int):
        return [f"{prefix}{k:03d}" for k in range(names)]
    return [str(n) for n in names]
