"""Statistics of two-image studies: pure functions, long DataFrame in, tidy DataFrame out.

Pairwise preference input (one row per choice)::

    rater  dataset  image  method_a  method_b  winner
    str    str      str    str       str       str (method_a or method_b)

The side a method was shown on and the order of ``method_a``/``method_b`` carry no
meaning here: a choice is "``winner`` beat the other one". Extra columns are ignored.

2AFC "real or generated" input (one row per trial)::

    dataset  method  chose_generated
    str      str     bool (the rater took the method's output for the real photograph)

Model and units. Thurstone Case V: ``P(a beats b) = Phi((q_a - q_b) / sigma)`` with
``sigma = 1 / Phi^-1(0.75)`` (:data:`JOD_SIGMA`, about 1.4826), so a difference of 1
is 1 JOD, "75 % of the choices prefer a". Bradley-Terry: ``P(a beats b) =
1 / (1 + exp(b_b - b_a))``, ``bt_score`` being the natural-log strength. Both are
fitted per dataset (an arm) by maximum a posteriori under a weak prior (see :data:`PRIOR_SD`)
with the arm's reference method, by default its first, fixed at 0.

Method order. ``methods`` gives the order of the methods, the same for every dataset
(a sequence) or per dataset (a mapping dataset -> sequence); its first method present
is the reference unless ``reference`` names another. Without it the order is that of
first appearance in the table (``method_a`` then ``method_b``, row by row). Methods of
the order with no choice in a dataset are left out of that dataset's rows.

This module imports NumPy, SciPy and pandas, nothing of Django. Nothing is rounded.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias, TypedDict, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps
from scipy.sparse.csgraph import connected_components
from scipy.special import expit, log_expit, log_ndtr, ndtri

# As srmodels.typedefs names them (this module stays free of srmodels: pure NumPy/SciPy).
Float64Array: TypeAlias = npt.NDArray[np.float64]
Int64Array: TypeAlias = npt.NDArray[np.int64]

__all__ = [
    "JOD_SIGMA",
    "PRIOR_SD",
    "bradley_terry",
    "fit_scores",
    "fool_rate",
    "holm",
    "pairwise_tests",
    "scale_with_ci",
    "thurstone_scale",
    "validate_choices",
    "validate_trials",
]

# 1 JOD = 75 % preference: Phi(1 / sigma) = 0.75.
JOD_SIGMA = float(1.0 / ndtri(0.75))

# The prior of both scales: every score independently N(0, PRIOR_SD^2), in JOD. The
# likelihood sees only differences, so this is a ridge penalty on the scores around
# their mean, sum_i (q_i - mean q)^2 / (2 PRIOR_SD^2); the fit is the posterior mode,
# shifted so that the reference is 0. The active sampler's posterior is of the same
# model (study.pairwise.active).
#
# Why a prior. A method that won (or lost) every one of its comparisons, or a design
# whose wins do not strongly connect the methods, has an infinite maximum-likelihood
# scale. Two common fixes were weighed:
# - 0.5 pseudo-choices in each direction of every pair (Haldane-Anscombe) is scale-free
#   but strong where it matters: its pull on a pair grows like the squared distance, as
#   one extra comparison at d = 0, so pairs that are nearly unanimous because they are
#   far apart (bicubic vs. a GAN, 3-5 JOD) are dragged together. On 12 methods spread
#   over 5 JOD with 45 choices per pair it compressed the scale by about 9 %.
# - A Gaussian prior on the scores (pwcmp's own prior is a data-driven one on the
#   distances) shrinks each score by the ratio of its precision to the data's. With sd
#   5 JOD, wider than an SR arm spans from nearest to HR, that is 1/25 per JOD^2
#   against about 0.29 per JOD^2 per choice near the middle of the scale (0.15 two JOD
#   away): below 0.5 % of the distances once a method has 100 choices, far inside any
#   CI (the recovery test allows for it). It still keeps unanimity finite and sensible:
#   two methods with n unanimous choices end 2.7 JOD apart for n = 1, 4.4 for n = 26,
#   5.8 for n = 1000.
# ``prior_sd=math.inf`` gives the plain MLE where it exists (and raises where not).
# Bradley-Terry uses the same prior in its own units: 1 JOD is log(3) logits at 75 %.
PRIOR_SD = 5.0

CHOICE_COLUMNS = ("rater", "dataset", "image", "method_a", "method_b", "winner")
TRIAL_COLUMNS = ("dataset", "method", "chose_generated")
_MAX_NEWTON = 100
_STEP_TOL = 1e-11

Order = Sequence[str] | Mapping[str, Sequence[str]] | None
Reference = str | Mapping[str, str] | None


# --------------------------------------------------------------------------- input


def validate_choices(choices: pd.DataFrame) -> pd.DataFrame:
    """Check the long choices table and return a copy of its six columns as strings.

    Bad input raises ``ValueError`` naming the column, the row label and the value: an
    empty cell, a pair of one method with itself, a winner that is neither method.
    """
    if not isinstance(choices, pd.DataFrame):
        raise TypeError(f"choices must be a pandas DataFrame, not {type(choices).__name__}")
    missing = [c for c in CHOICE_COLUMNS if c not in choices.columns]
    if missing:
        raise ValueError(f"choices: missing column(s) {', '.join(map(repr, missing))}")
    df = choices.loc[:, list(CHOICE_COLUMNS)].copy()
    for column in CHOICE_COLUMNS:
        bad = df[column].isna().to_numpy()
        if bad.any():
            raise ValueError(f"choices: column {column!r} is empty at row {_row(df, bad)!r}")
        df[column] = df[column].astype(str)
    a, b, w = (df[c].to_numpy() for c in ("method_a", "method_b", "winner"))
    same = a == b
    if same.any():
        raise ValueError(
            f"choices: method_a and method_b are both {a[same][0]!r} at row {_row(df, same)!r}"
        )
    bad = (w != a) & (w != b)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"choices: winner {w[k]!r} at row {_row(df, bad)!r} is neither method_a "
            f"{a[k]!r} nor method_b {b[k]!r}"
        )
    return df


def validate_trials(trials: pd.DataFrame) -> pd.DataFrame:
    """Check the 2AFC trials table; return its three columns, ``chose_generated`` as bool.

    ``chose_generated`` accepts booleans and the integers 0 and 1, nothing else.
    """
    if not isinstance(trials, pd.DataFrame):
        raise TypeError(f"trials must be a pandas DataFrame, not {type(trials).__name__}")
    missing = [c for c in TRIAL_COLUMNS if c not in trials.columns]
    if missing:
        raise ValueError(f"trials: missing column(s) {', '.join(map(repr, missing))}")
    df = trials.loc[:, list(TRIAL_COLUMNS)].copy()
    for column in TRIAL_COLUMNS:
        bad = df[column].isna().to_numpy()
        if bad.any():
            raise ValueError(f"trials: column {column!r} is empty at row {_row(df, bad)!r}")
    for column in ("dataset", "method"):
        df[column] = df[column].astype(str)
    values = df["chose_generated"].to_numpy(object)
    ok = np.array([v is True or v is False or _is_01(v) for v in values], dtype=bool)
    if not ok.all():
        raise ValueError(
            "trials: column 'chose_generated' must be a boolean (or 0/1), got "
            f"{_plain(values[~ok][0])!r} at row {_row(df, ~ok)!r}"
        )
    df["chose_generated"] = values.astype(bool)
    return df


def _is_01(value: object) -> bool:
    return isinstance(value, (int, np.integer, np.bool_)) and value in (0, 1)


def _row(df: pd.DataFrame, mask: npt.NDArray[np.bool_]) -> object:
    return _plain(df.index[mask][0])


def _plain(value: object) -> object:
    """NumPy scalars as Python ones, so messages read ``6``, not ``np.int64(6)``."""
    return value.item() if isinstance(value, np.generic) else value


class _Fit(TypedDict):
    """The keyword arguments every fit of one arm shares."""

    reference: int
    prior_sd: float


@dataclass(frozen=True)
class _Arm:
    """One dataset's choices as integer codes into ``methods``."""

    dataset: str
    methods: list[str]
    reference: int
    winner: Int64Array
    loser: Int64Array
    rater: Int64Array
    n_raters: int

    def wins(self) -> Float64Array:
        """``wins[i, j]``: how often method i beat method j."""
        n = len(self.methods)
        flat = np.bincount(self.winner * n + self.loser, minlength=n * n)
        return flat.reshape(n, n).astype(float)

    def rater_wins(self) -> Float64Array:
        """``(n_raters, n, n)``: the win counts of each rater."""
        n = len(self.methods)
        cell = (self.rater * n + self.winner) * n + self.loser
        flat = np.bincount(cell, minlength=self.n_raters * n * n)
        return flat.reshape(self.n_raters, n, n).astype(float)


def _arms(
    choices: pd.DataFrame, methods: Order, reference: Reference, *, scaled: bool = True
) -> list[_Arm]:
    """Each dataset's choices as an :class:`_Arm`; ``scaled=False`` (tests only) lets the
    order's first method be absent, since no reference is then needed."""
    df = validate_choices(choices)
    if isinstance(methods, str):
        raise TypeError("methods must be a sequence of method keys, not one string")
    arms = []
    for dataset, part in df.groupby("dataset", sort=False):
        pairs = np.column_stack([part["method_a"].to_numpy(), part["method_b"].to_numpy()])
        seen = list(pd.unique(pairs.ravel()))
        order = _order(str(dataset), seen, methods)
        present = [m for m in order if m in set(seen)]
        ref = _reference(str(dataset), order, seen, reference) if scaled else present[0]
        order = present
        index = {m: k for k, m in enumerate(order)}
        a_won = (part["winner"] == part["method_a"]).to_numpy()
        loser = np.where(a_won, pairs[:, 1], pairs[:, 0])
        rater, raters = pd.factorize(part["rater"], sort=False)
        arms.append(
            _Arm(
                dataset=str(dataset),
                methods=order,
                reference=index[ref],
                winner=cast(Int64Array, part["winner"].map(index).to_numpy(np.int64)),
                loser=pd.Series(loser).map(index).to_numpy(np.int64),
                rater=rater.astype(np.int64),
                n_raters=len(raters),
            )
        )
    return arms


def _order(dataset: str, seen: list[str], methods: Order) -> list[str]:
    if methods is None:
        return seen
    if isinstance(methods, Mapping):
        if dataset not in methods:
            raise ValueError(f"methods: no order given for dataset {dataset!r}")
        given = [str(m) for m in methods[dataset]]
    else:
        given = [str(m) for m in methods]
    if len(set(given)) != len(given):
        raise ValueError(f"methods: the order for dataset {dataset!r} repeats a method: {given}")
    unknown = [m for m in seen if m not in set(given)]
    if unknown:
        raise ValueError(
            f"choices: method {unknown[0]!r} of dataset {dataset!r} is not in methods {given}"
        )
    return given


def _reference(dataset: str, order: list[str], seen: list[str], reference: Reference) -> str:
    if isinstance(reference, Mapping):
        if dataset not in reference:
            raise ValueError(f"reference: none given for dataset {dataset!r}")
        ref = str(reference[dataset])
    elif reference is not None:
        ref = str(reference)
    else:
        ref = order[0]
    if ref not in set(seen):
        why = "is not a method of" if ref not in set(order) else "has no choice in"
        raise ValueError(f"reference: method {ref!r} {why} dataset {dataset!r}")
    return ref


# --------------------------------------------------------------------------- tests


def holm(p_values: Iterable[float]) -> Float64Array:
    """Holm (1979) step-down adjusted p-values, as R's ``p.adjust(p, "holm")``.

    NaN p-values are left NaN and not counted in the number of tests.
    """
    p = np.asarray(list(p_values), dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    order = np.argsort(p[ok], kind="stable")
    scaled = (m - np.arange(m)) * p[ok][order]
    values = np.empty(m)
    values[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    out[ok] = values
    return out


def pairwise_tests(
    choices: pd.DataFrame, *, methods: Order = None, alpha: float = 0.05
) -> pd.DataFrame:
    """Exact two-sided binomial test of every compared pair of methods, per dataset.

    Columns: ``dataset, method_a, method_b, n, wins_a, wins_b, p, p_holm, significant``.
    ``method_a`` comes first in the method order; ``n = wins_a + wins_b`` pools every
    rater and image; ``p`` is ``scipy.stats.binomtest(wins_a, n, 0.5).pvalue``;
    ``p_holm`` is Holm-adjusted over the compared pairs of one dataset; ``significant``
    is ``p_holm < alpha``. Pairs never compared have no row.

    The test treats the n choices as independent: with raters who disagree
    systematically it is optimistic, and the bootstrap CIs of :func:`scale_with_ci`
    are the conservative evidence.
    """
    rows = []
    for arm in _arms(choices, methods, None, scaled=False):
        wins = arm.wins().astype(np.int64)
        found = []
        for i in range(len(arm.methods)):
            for j in range(i + 1, len(arm.methods)):
                a, b = int(wins[i, j]), int(wins[j, i])
                if a + b:
                    p = sps.binomtest(a, a + b, 0.5).pvalue
                    found.append((arm.dataset, arm.methods[i], arm.methods[j], a + b, a, b, p))
        adjusted = holm([row[-1] for row in found])
        rows += [(*row, float(q), bool(q < alpha)) for row, q in zip(found, adjusted, strict=True)]
    columns = ["dataset", "method_a", "method_b", "n", "wins_a", "wins_b", "p", "p_holm"]
    out = pd.DataFrame(rows, columns=[*columns, "significant"])
    return out.astype({"n": np.int64, "wins_a": np.int64, "wins_b": np.int64, "p": float})


def fool_rate(trials: pd.DataFrame) -> pd.DataFrame:
    """How often raters took a method's output for the real photograph, per dataset and method.

    Columns: ``dataset, method, n, chose_generated, rate, ci95_low, ci95_high, p``:
    ``chose_generated`` of ``n`` trials, ``rate`` their ratio, the exact Clopper-Pearson
    95 % interval (``binomtest(...).proportion_ci(method="exact")``) and the exact
    two-sided binomial p against 0.5 (a method indistinguishable from the real photo).
    """
    df = validate_trials(trials)
    rows = []
    for (dataset, method), part in df.groupby(["dataset", "method"], sort=False):
        n = len(part)
        k = int(part["chose_generated"].sum())
        test = sps.binomtest(k, n, 0.5)
        ci = test.proportion_ci(confidence_level=0.95, method="exact")
        rows.append((dataset, method, n, k, k / n, ci.low, ci.high, test.pvalue))
    columns = ["dataset", "method", "n", "chose_generated", "rate", "ci95_low", "ci95_high", "p"]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({"n": np.int64, "chose_generated": np.int64})


# --------------------------------------------------------------------------- scales


def thurstone_scale(
    choices: pd.DataFrame,
    *,
    methods: Order = None,
    reference: Reference = None,
    prior_sd: float = PRIOR_SD,
) -> pd.DataFrame:
    """Thurstone Case V scale in JOD per dataset: columns ``dataset, method, jod``.

    The scores maximising the likelihood of ``P(a beats b) = Phi((q_a - q_b) /
    JOD_SIGMA)`` over the pooled choices times the prior (see :data:`PRIOR_SD`), the
    reference method at 0. ``prior_sd=math.inf`` is the plain MLE; it raises when that
    is infinite (the wins do not strongly connect the methods, e.g. one method won
    every comparison).
    """
    return _scale(choices, methods, reference, prior_sd, link="probit", column="jod")


def bradley_terry(
    choices: pd.DataFrame,
    *,
    methods: Order = None,
    reference: Reference = None,
    prior_sd: float = PRIOR_SD,
) -> pd.DataFrame:
    """Bradley-Terry log-strengths per dataset: columns ``dataset, method, bt_score``.

    ``P(a beats b) = 1 / (1 + exp(bt_b - bt_a))``, fitted as :func:`thurstone_scale`
    (same prior, converted to logits, same reference at 0).
    """
    return _scale(choices, methods, reference, prior_sd, link="logit", column="bt_score")


def _scale(
    choices: pd.DataFrame,
    methods: Order,
    reference: Reference,
    prior_sd: float,
    *,
    link: str,
    column: str,
) -> pd.DataFrame:
    rows = []
    for arm in _arms(choices, methods, reference):
        wins = arm.wins()
        if not np.isfinite(prior_sd):
            _require_strongly_connected(arm, wins)
        scores = fit_scores(wins, reference=arm.reference, link=link, prior_sd=prior_sd)
        rows += [(arm.dataset, m, float(s)) for m, s in zip(arm.methods, scores, strict=True)]
    return pd.DataFrame(rows, columns=["dataset", "method", column])


def scale_with_ci(
    choices: pd.DataFrame,
    *,
    methods: Order = None,
    reference: Reference = None,
    draws: int = 1000,
    seed: int | None = 0,
    prior_sd: float = PRIOR_SD,
) -> pd.DataFrame:
    """The Thurstone scale with bootstrap CIs over raters, and Bradley-Terry scores beside.

    Columns: ``dataset, method, jod, ci95_low, ci95_high, bt_score``. ``jod`` and
    ``bt_score`` are :func:`thurstone_scale` and :func:`bradley_terry` on all choices.
    The interval is the 2.5 and 97.5 percentiles of ``draws`` refits, each on the
    choices of the dataset's raters resampled with replacement (a rater's choices stay
    together, so raters who disagree widen it). Each draw sums per-rater win matrices
    and all draws are fitted together by one batched Newton solve, so 1,000 draws cost
    about as much as a few fits. ``seed`` fixes the draws; each dataset gets its own
    stream derived from ``seed`` and its name, so adding an arm leaves the others' CIs
    unchanged. The reference's interval is [0, 0] by construction.
    """
    if int(draws) != draws or draws < 1:
        raise ValueError(f"scale_with_ci: draws must be a positive integer, got {draws!r}")
    if not np.isfinite(prior_sd):
        raise ValueError("scale_with_ci: prior_sd must be finite (a resample may be unanimous)")
    draws = int(draws)
    rows = []
    for arm in _arms(choices, methods, reference):
        per_rater = arm.rater_wins()
        wins = per_rater.sum(axis=0)
        fit: _Fit = {"reference": arm.reference, "prior_sd": prior_sd}
        jod = fit_scores(wins, link="probit", **fit)
        bt = fit_scores(wins, link="logit", **fit)
        entropy = None if seed is None else [int(seed), zlib.crc32(arm.dataset.encode())]
        rng = np.random.default_rng(entropy)
        r = arm.n_raters
        picks = rng.integers(0, r, size=(draws, r)) + r * np.arange(draws)[:, None]
        weight = np.bincount(picks.ravel(), minlength=draws * r).reshape(draws, r)
        resampled = (weight @ per_rater.reshape(r, -1)).reshape(draws, *wins.shape)
        boot = fit_scores(resampled, link="probit", **fit)
        low, high = np.percentile(boot, [2.5, 97.5], axis=0)
        rows += [
            (arm.dataset, m, float(jod[k]), float(low[k]), float(high[k]), float(bt[k]))
            for k, m in enumerate(arm.methods)
        ]
    columns = ["dataset", "method", "jod", "ci95_low", "ci95_high", "bt_score"]
    return pd.DataFrame(rows, columns=columns)


def _require_strongly_connected(arm: _Arm, wins: Float64Array) -> None:
    n_parts, _ = connected_components(wins > 0, directed=True, connection="strong")
    if n_parts > 1:
        raise ValueError(
            f"dataset {arm.dataset!r}: the maximum-likelihood scale is infinite (some methods "
            "won, or lost, every comparison linking them to the others); use a finite prior_sd"
        )


# --------------------------------------------------------------------------- the fit


def fit_scores(
    wins: Float64Array,
    *,
    reference: int = 0,
    link: str = "probit",
    prior_sd: float = PRIOR_SD,
) -> Float64Array:
    """Posterior-mode scores from win counts; ``wins[..., i, j]`` = times i beat j.

    Any leading axes are a batch (bootstrap draws), fitted together. ``link="probit"``
    returns JOD (Thurstone Case V), ``"logit"`` Bradley-Terry log-strengths; the
    ``reference`` index is 0 in every fit; ``prior_sd`` is in JOD (``inf``: none). The
    objective is convex in the scores, so Newton's method with step halving from
    all-zero scores converges; it stops when no score moves by more than 1e-11 (in
    units of the link's scale).
    """
    if link not in ("probit", "logit"):
        raise ValueError(f"link must be 'probit' or 'logit', got {link!r}")
    if np.isnan(prior_sd) or prior_sd <= 0:
        raise ValueError(f"prior_sd must be positive (or inf), got {prior_sd!r}")
    wins = np.asarray(wins, dtype=float)
    n = wins.shape[-1]
    if wins.ndim < 2 or wins.shape[-2] != n:
        raise ValueError(f"wins must be (..., n, n), got shape {wins.shape}")
    # Work in the link's own unit (probit: JOD_SIGMA; logit: 1), where P = F(x_i - x_j).
    unit = JOD_SIGMA if link == "probit" else 1.0 / np.log(3.0)
    ridge = (unit / prior_sd) ** 2
    counts = wins.reshape(-1, n, n) * (1.0 - np.eye(n))
    x = np.zeros(counts.shape[:2])
    if n > 1:
        x = _newton(counts, x, reference, link, ridge)
    return (x * (JOD_SIGMA if link == "probit" else 1.0)).reshape(wins.shape[:-1])


def _newton(
    counts: Float64Array, x: Float64Array, reference: int, link: str, ridge: float
) -> Float64Array:
    n = counts.shape[-1]
    free = np.arange(n) != reference
    rows = np.arange(n)
    centering = np.eye(n) - 1.0 / n
    objective = _objective(counts, x, link, ridge)
    for _ in range(_MAX_NEWTON):
        d = x[:, :, None] - x[:, None, :]
        slope, curve = _link_derivatives(d, link)
        g = counts * slope
        grad = g.sum(axis=2) - g.sum(axis=1) + ridge * (x - x.mean(axis=1, keepdims=True))
        s = counts * curve
        s = s + s.transpose(0, 2, 1)
        hess = -s
        hess[:, rows, rows] = s.sum(axis=2)
        hess += ridge * centering
        step = np.zeros_like(x)
        sub = hess[:, free][:, :, free]
        step[:, free] = np.linalg.solve(sub, -grad[:, free][..., None])[..., 0]
        t = np.ones(len(x))
        for _halving in range(60):
            trial = x + t[:, None] * step
            new = _objective(counts, trial, link, ridge)
            worse = new > objective + 1e-12 * (1.0 + np.abs(objective))
            if not worse.any():
                break
            t[worse] *= 0.5
        x, objective = trial, new
        if np.max(np.abs(t[:, None] * step)) < _STEP_TOL:
            return x
    raise RuntimeError("fit_scores: Newton's method did not converge")


def _objective(counts: Float64Array, x: Float64Array, link: str, ridge: float) -> Float64Array:
    """Negative log-likelihood plus the prior's ridge, per batch entry."""
    d = x[:, :, None] - x[:, None, :]
    log_p: Float64Array = log_ndtr(d) if link == "probit" else log_expit(d)
    centered = x - x.mean(axis=1, keepdims=True)
    value: Float64Array = -(counts * log_p).sum(axis=(1, 2)) + 0.5 * ridge * (centered**2).sum(
        axis=1
    )
    return value


def _link_derivatives(d: Float64Array, link: str) -> tuple[Float64Array, Float64Array]:
    """First and second derivative of ``-log P(d)`` for each difference ``d``."""
    if link == "probit":
        # Inverse Mills ratio phi(d) / Phi(d), from logs so that it stays finite for d << 0.
        mills = np.exp(-0.5 * d * d - 0.5 * np.log(2 * np.pi) - log_ndtr(d))
        return -mills, np.maximum(mills * (d + mills), 0.0)
    p = expit(d)
    return -(1.0 - p), p * (1.0 - p)
