"""Statistics of a MOS study: pure functions, long ratings DataFrame in, tidy DataFrame out.

Input (one row per rating)::

    rater  dataset  image  method  score  repeat  [simulated]  [response_ms]  [server_ms]
    str    str      str    str     1..5   0 | 1   bool         int            int

    [position]
    int

``response_ms`` is the browser's figure, ``server_ms`` the server's (item served to
rating submitted); a script can fake the first, not the second.

``repeat`` is 0 for a first presentation and 1 for the test-retest repeat (absent:
all 0). Every analysis except :func:`retest` uses first presentations only, so a
retest item does not weigh twice in a MOS, a pairing or a screening. A stimulus is a
``(dataset, image, method)`` triple.

This module imports pandas, NumPy and SciPy and nothing of Django, so it serves the
exports, the dashboard, notebooks and the tests alike. Nothing is rounded here:
rounding belongs to whoever renders the numbers.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from itertools import combinations
from typing import TypeAlias, TypedDict, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

__all__ = [
    "bt500_screening",
    "calibration_adherence",
    "exclude_raters",
    "holm",
    "mos",
    "rater_agreement",
    "retest",
    "screen_raters",
    "signed_rank",
    "subject_model",
    "validate_ratings",
    "wilcoxon_pairs",
]

REQUIRED_COLUMNS = ("rater", "dataset", "image", "method", "score")
STIMULUS = ["dataset", "image", "method"]
KEY = ["rater", "dataset", "image", "method", "repeat"]
SCORES = (1, 2, 3, 4, 5)
# A rater whose median server-timed response is below this many ms is too fast to have
# looked (the study's TOML may set another floor: [session] min_response_ms).
DEFAULT_MIN_RESPONSE_MS = 500
# Two-sided 97.5 % normal quantile, the constant sureal uses for its 95 % intervals.
Z975 = 1.95996

FloatArray: TypeAlias = npt.NDArray[np.float64]
# Dense group codes (np.bincount's input).
Codes: TypeAlias = npt.NDArray[np.int64]


# --------------------------------------------------------------------------- input


def validate_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """Check the long ratings table and return a normalised copy.

    The copy holds the required columns plus ``repeat`` (0 when absent) and, when
    present, ``simulated``, ``response_ms``, ``server_ms`` and ``position``; ``score``
    and ``repeat`` are int64. Bad input raises ``ValueError`` naming the column, the row
    label and the value, because a silently coerced score would move every figure
    downstream.
    """
    if not isinstance(ratings, pd.DataFrame):
        raise TypeError(f"ratings must be a pandas DataFrame, not {type(ratings).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in ratings.columns]
    if missing:
        raise ValueError(f"ratings: missing column(s) {', '.join(map(repr, missing))}")
    optional = [
        c for c in ("repeat", "simulated", "response_ms", "server_ms", "position") if c in ratings
    ]
    df = ratings.loc[:, [*REQUIRED_COLUMNS, *optional]].copy()
    if "repeat" not in df:
        df["repeat"] = 0
    for column in (*REQUIRED_COLUMNS, "repeat"):
        bad = df[column].isna().to_numpy()
        if bad.any():
            raise ValueError(
                f"ratings: column {column!r} is empty at row {_plain(df.index[bad][0])!r}"
            )
    for column, allowed in (("score", SCORES), ("repeat", (0, 1))):
        values = pd.to_numeric(df[column], errors="coerce")
        bad = ~values.isin(allowed).to_numpy()
        if bad.any():
            where = df.index[bad][0]
            raise ValueError(
                f"ratings: column {column!r} must be one of {list(allowed)}, "
                f"got {_plain(df.at[where, column])!r} at row {_plain(where)!r}"
            )
        df[column] = values.astype(np.int64)
    dup = df.duplicated(KEY).to_numpy()
    if dup.any():
        row = df.loc[df.index[dup][0], KEY]
        raise ValueError(
            "ratings: the same rater rated the same stimulus twice with the same repeat "
            f"({', '.join(f'{k}={_plain(v)!r}' for k, v in row.items())})"
        )
    return df


def _plain(value: object) -> object:
    """NumPy scalars as Python ones, so messages read ``6``, not ``np.int64(6)``."""
    return value.item() if isinstance(value, np.generic) else value


class _Checked:
    """A table :func:`validate_ratings` already returned, handed between this module's
    functions (screen_raters) so 1 M rows are not validated five times."""

    __slots__ = ("frame",)

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame


def _table(ratings: pd.DataFrame | _Checked) -> pd.DataFrame:
    return ratings.frame if isinstance(ratings, _Checked) else validate_ratings(ratings)


def _first(ratings: pd.DataFrame | _Checked) -> pd.DataFrame:
    df = _table(ratings)
    first: pd.DataFrame = df[df["repeat"].to_numpy() == 0]
    return first


def exclude_raters(ratings: pd.DataFrame, raters: Iterable[str]) -> pd.DataFrame:
    """The ratings without those of ``raters``: excluding is the caller's explicit choice.

    An unknown rater name raises, since a typo would otherwise exclude nobody silently.
    """
    raters = list(raters)
    unknown = sorted(set(raters) - set(ratings["rater"].unique()), key=str)
    if unknown:
        raise ValueError(f"exclude_raters: unknown rater(s) {', '.join(map(repr, unknown))}")
    return ratings[~ratings["rater"].isin(raters).to_numpy()]


# --------------------------------------------------------------------------- MOS


def mos(
    ratings: pd.DataFrame,
    *,
    ci: str = "t",
    n_boot: int = 2000,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Mean opinion score per (dataset, method), with a 95 % CI and the score distribution.

    Columns: ``dataset, method, n, mos, std, ci95_low, ci95_high, count_1 .. count_5``.
    ``std`` is the sample standard deviation (ddof=1) of the ``n`` ratings.

    ``ci="t"`` (default): ``mos +- t(0.975, n-1) * std / sqrt(n)``, the textbook interval
    that treats the n ratings as independent (what MOS papers usually report).
    ``ci="bootstrap"``: percentile interval of a two-way cluster bootstrap that resamples
    raters and images with replacement, independently, ``n_boot`` times (``seed`` fixes
    it). It is wider than the t interval when raters or images differ systematically,
    which the t interval ignores. Rater draws are shared by all datasets of one
    resample; image draws are per dataset, as images are nested in datasets.
    """
    if ci not in ("t", "bootstrap"):
        raise ValueError(f"mos: ci must be 't' or 'bootstrap', got {ci!r}")
    df = _first(ratings)
    grouped = df.groupby(["dataset", "method"], sort=True, observed=True)["score"]
    out = grouped.agg(n="count", mos="mean", std="std")
    counts = (
        df.groupby(["dataset", "method", "score"], sort=True, observed=True)
        .size()
        .unstack("score", fill_value=0)
        .reindex(columns=list(SCORES), fill_value=0)
    )
    n = out["n"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        half = sps.t.ppf(0.975, n - 1) * out["std"].to_numpy() / np.sqrt(n)
    if ci == "t":
        out["ci95_low"] = out["mos"] - half
        out["ci95_high"] = out["mos"] + half
    else:
        groups = cast(pd.MultiIndex, out.index)  # (dataset, method)
        low, high = _cluster_bootstrap(df, groups, n_boot=n_boot, seed=seed)
        out["ci95_low"] = low
        out["ci95_high"] = high
    for s in SCORES:
        out[f"count_{s}"] = counts[s].to_numpy()
    return out.reset_index()


def _cluster_bootstrap(
    df: pd.DataFrame, groups: pd.MultiIndex, *, n_boot: int, seed: int | None
) -> tuple[FloatArray, FloatArray]:
    """Percentile 95 % interval of the MOS under a rater x image cluster bootstrap.

    A resample is a multiplicity per rater and per image (multinomial counts); each
    rating then weighs ``w_rater * w_image``. For one dataset the rating sums and
    counts per (rater, image, method) form matrices, so a resample's MOS for every
    method is two matrix products: ``(W_r @ S) * W_i`` summed over images.
    """
    if n_boot < 1:
        raise ValueError(f"mos: n_boot must be positive, got {n_boot}")
    rng = np.random.default_rng(seed)
    raters = pd.Index(pd.unique(df["rater"])).sort_values()
    n_raters = len(raters)
    w_rater = rng.multinomial(n_raters, np.full(n_raters, 1.0 / n_raters), size=n_boot).astype(
        float
    )
    low = np.full(len(groups), np.nan)
    high = np.full(len(groups), np.nan)
    position = {key: i for i, key in enumerate(groups)}
    for dataset, part in df.groupby("dataset", sort=True, observed=True):
        r = raters.get_indexer(part["rater"])  # type: ignore[arg-type]  # any array-like
        i, images = pd.factorize(part["image"], sort=True)
        m, methods = pd.factorize(part["method"], sort=True)
        n_img, n_met = len(images), len(methods)
        cell = (r * n_met + m) * n_img + i
        size = n_raters * n_met * n_img
        sums = np.bincount(cell, weights=part["score"].to_numpy(float), minlength=size)
        cnts = np.bincount(cell, minlength=size).astype(float)
        sums = sums.reshape(n_raters, n_met * n_img)
        cnts = cnts.reshape(n_raters, n_met * n_img)
        w_image = rng.multinomial(n_img, np.full(n_img, 1.0 / n_img), size=n_boot).astype(float)
        num = ((w_rater @ sums).reshape(n_boot, n_met, n_img) * w_image[:, None, :]).sum(2)
        den = ((w_rater @ cnts).reshape(n_boot, n_met, n_img) * w_image[:, None, :]).sum(2)
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = num / den
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanpercentile(boot, [2.5, 97.5], axis=0)
        for k, method in enumerate(methods):
            j = position[(dataset, method)]
            low[j], high[j] = lo[k], hi[k]
    return low, high


# --------------------------------------------------------------------------- Wilcoxon

WILCOXON_COLUMNS = [
    "dataset",
    "method_a",
    "method_b",
    "n_pairs",
    "mos_a",
    "mos_b",
    "statistic",
    "p_value",
    "p_holm",
    "significant",
    "effect_size",
    "median_diff",
]
_SCIPY_METHOD = {"auto": "auto", "exact": "exact", "approx": "asymptotic"}
_ZERO_METHODS = ("wilcox", "pratt", "zsplit")


def signed_rank(
    a: FloatArray | Iterable[float],
    b: FloatArray | Iterable[float],
    *,
    zero_method: str = "wilcox",
    method: str = "auto",
    correction: bool = False,
) -> dict[str, float]:
    """Two-sided Wilcoxon signed-rank test of paired samples ``a`` and ``b``.

    Returns ``n_pairs, mean_a, mean_b, statistic, p_value, effect_size, median_diff``.
    ``statistic`` and ``p_value`` are ``scipy.stats.wilcoxon``'s: for a two-sided test
    the statistic is ``min(T+, T-)``, the rank sums of the positive and negative
    differences ``a - b`` (R's ``V`` is ``T+``). ``effect_size`` is the matched-pairs
    rank-biserial correlation (Kerby 2014) ``(T+ - T-) / (T+ + T-)``, positive when
    ``a`` tends to be larger, with the zeros handled as by ``zero_method``: dropped
    (``wilcox``) or ranked and counted in the denominator only (``pratt``, ``zsplit``:
    ties to zero are evidence of no difference, so they shrink the effect).
    ``T+ = total * (1 + effect_size) / 2`` recovers R's ``V``.
    Options are those of :func:`wilcoxon_pairs`. No pairs, or only zero differences
    under ``wilcox``, give NaN statistic and p (the test is not defined).
    """
    if zero_method not in _ZERO_METHODS:
        raise ValueError(f"zero_method must be one of {list(_ZERO_METHODS)}, got {zero_method!r}")
    if method not in _SCIPY_METHOD:
        raise ValueError(f"method must be one of {list(_SCIPY_METHOD)}, got {method!r}")
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"signed_rank: a and b must be 1-D of one length, got {a.shape} {b.shape}")
    d = a - b
    result = {
        "n_pairs": len(d),
        "mean_a": a.mean() if len(d) else np.nan,
        "mean_b": b.mean() if len(d) else np.nan,
        "statistic": np.nan,
        "p_value": np.nan,
        "effect_size": np.nan,
        "median_diff": float(np.median(d)) if len(d) else np.nan,
    }
    nonzero = d != 0
    if not nonzero.any():
        # All differences zero: no direction at all. Under pratt/zsplit the effect is 0.
        if len(d) and zero_method != "wilcox":
            result["effect_size"] = 0.0
        return result
    with warnings.catch_warnings():
        # SciPy warns that ties/zeros make "exact" conservative; the docstring says so.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        res = sps.wilcoxon(
            d,
            zero_method=zero_method,
            correction=correction,
            alternative="two-sided",
            method=_SCIPY_METHOD[method],
        )
    used = d[nonzero] if zero_method == "wilcox" else d
    ranks = sps.rankdata(np.abs(used))
    t_plus = ranks[used > 0].sum()
    t_minus = ranks[used < 0].sum()
    result["statistic"] = float(res.statistic)
    result["p_value"] = float(res.pvalue)
    result["effect_size"] = (t_plus - t_minus) / ranks.sum()
    return result


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


def wilcoxon_pairs(
    ratings: pd.DataFrame,
    *,
    zero_method: str = "wilcox",
    method: str = "auto",
    correction: bool = False,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Paired two-sided Wilcoxon signed-rank tests between every pair of methods per dataset.

    Pairs are the (rater, image) cells both methods were rated in (first presentations
    only). Columns: ``dataset, method_a, method_b, n_pairs, mos_a, mos_b, statistic,
    p_value, p_holm, significant, effect_size, median_diff``. ``mos_a``/``mos_b`` are
    the means over those pairs (the full-data MOS when the design is complete),
    ``p_holm`` is Holm-adjusted over the pairs of one dataset, ``significant`` is
    ``p_holm < alpha``, ``effect_size`` and ``median_diff`` follow ``a - b`` (positive:
    ``a`` rated higher). Methods are paired in sorted order (categorical order when the
    column is categorical). See :func:`signed_rank` for statistic and effect size.

    Why these defaults, and what the paper most likely used. The paper states only
    "paired two-sided Wilcoxon signed-rank tests, significance at p < 0.05".

    * ``zero_method="wilcox"``: ACR scores are integers, so many pairs are ties (d = 0).
      Wilcoxon's own rule drops them. It is SciPy's default and what R's
      ``wilcox.test`` does; the paper's code is Theano/Lasagne (Python), so SciPy with
      its defaults is the likely tool, and the zeros were most likely dropped.
      ``"pratt"`` ranks the zeros and then discards their ranks (Pratt 1959; it keeps
      the test consistent when many differences are zero); ``"zsplit"`` gives half of
      each zero's rank to each side.
    * ``method="auto"``: SciPy's rule. The exact null distribution is used for n <= 50
      pairs without ties or zeros, an exact permutation test for n <= 13 with ties or
      zeros, else the normal approximation with the tie-corrected variance. ACR data are
      full of ties and the paper's comparisons had 26 x 5 = 130 (Set5), 26 x 14 = 364
      (Set14) and 26 x 100 = 2600 (BSD100) pairs, so whatever the tool (SciPy of 2016
      always used the normal approximation, R does with ties, MATLAB's ``signrank``
      above 15 pairs) they were normal approximations: ``"auto"`` reproduces that.
      ``"exact"`` forces the exact distribution, which is only exact without ties
      (SciPy rounds a fractional statistic conservatively); ``"approx"`` forces the
      normal approximation.
    * ``correction=False``: SciPy's default (no continuity correction); R applies it by
      default. At the paper's n it moves z by 0.5 / sd(T+), far below any reported
      precision; ``True`` reproduces R's ``wilcox.test(..., exact = FALSE)``.
    """
    df = _first(ratings)
    rows = []
    for dataset, part in df.groupby("dataset", sort=True, observed=True):
        rows.extend(
            _dataset_pairs(
                dataset, part, zero_method=zero_method, method=method, correction=correction
            )
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=WILCOXON_COLUMNS)
    out = out.rename(columns={"mean_a": "mos_a", "mean_b": "mos_b"})
    out["n_pairs"] = out["n_pairs"].astype(np.int64)
    with np.errstate(invalid="ignore"):
        out["significant"] = (out["p_holm"] < alpha).to_numpy()
    return out[WILCOXON_COLUMNS]


def _dataset_pairs(
    dataset: object, part: pd.DataFrame, *, zero_method: str, method: str, correction: bool
) -> list[dict[str, object]]:
    """The tests of :func:`wilcoxon_pairs` for the ratings ``part`` of one dataset."""
    try:
        wide = part.pivot(index=["rater", "image"], columns="method", values="score")
    except ValueError as exc:  # pragma: no cover - validate_ratings rules it out
        raise ValueError(f"wilcoxon_pairs: dataset {dataset!r}: {exc}") from exc
    methods = _ordered(part["method"], wide.columns)
    values = wide[methods].to_numpy(dtype=float)
    found: list[dict[str, object]] = []
    for ia, ib in combinations(range(len(methods)), 2):
        both = ~(np.isnan(values[:, ia]) | np.isnan(values[:, ib]))
        res = signed_rank(
            values[both, ia],
            values[both, ib],
            zero_method=zero_method,
            method=method,
            correction=correction,
        )
        found.append({"dataset": dataset, "method_a": methods[ia], "method_b": methods[ib]})
        found[-1].update(res)
    adjusted = holm(cast(float, r["p_value"]) for r in found)
    for r, p in zip(found, adjusted, strict=True):
        r["p_holm"] = p
    return found


def _ordered(column: pd.Series[str], present: Iterable[str]) -> list[str]:
    present = list(present)
    if isinstance(column.dtype, pd.CategoricalDtype):
        keep = set(present)
        return [c for c in column.cat.categories if c in keep]
    return sorted(present)


# --------------------------------------------------------------------------- retest


def retest(
    ratings: pd.DataFrame,
    *,
    zero_method: str = "wilcox",
    method: str = "auto",
    correction: bool = False,
) -> pd.DataFrame:
    """Test-retest agreement of the retest items, per (dataset, method).

    A pair is one rater's first (``repeat == 0``) and second (``repeat == 1``) rating of
    one stimulus. Columns: ``dataset, method, n_pairs, mean_first, mean_second,
    share_identical, mean_abs_diff, spearman_rho, statistic, p_value`` where the last
    two are the two-sided Wilcoxon signed-rank test of ``second - first`` (options as in
    :func:`wilcoxon_pairs`), the paper's pilot check: a reliable panel shows no
    significant difference. ``spearman_rho`` is NaN when either rating is constant.
    """
    df = _table(ratings)
    key = ["rater", *STIMULUS]
    first = df[df["repeat"].to_numpy() == 0].set_index(key)["score"]
    second = df[df["repeat"].to_numpy() == 1].set_index(key)["score"]
    pairs = pd.concat({"first": first, "second": second}, axis=1, join="inner").reset_index()
    rows = []
    for (dataset, meth), part in pairs.groupby(["dataset", "method"], sort=True, observed=True):
        x1 = part["first"].to_numpy(float)
        x2 = part["second"].to_numpy(float)
        res = signed_rank(x2, x1, zero_method=zero_method, method=method, correction=correction)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # constant input: rho is NaN, said above
            rho = sps.spearmanr(x1, x2).statistic if len(x1) > 1 else np.nan
        rows.append(
            {
                "dataset": dataset,
                "method": meth,
                "n_pairs": len(x1),
                "mean_first": x1.mean(),
                "mean_second": x2.mean(),
                "share_identical": float(np.mean(x1 == x2)),
                "mean_abs_diff": float(np.mean(np.abs(x2 - x1))),
                "spearman_rho": float(rho),
                "statistic": res["statistic"],
                "p_value": res["p_value"],
            }
        )
    columns = [
        "dataset",
        "method",
        "n_pairs",
        "mean_first",
        "mean_second",
        "share_identical",
        "mean_abs_diff",
        "spearman_rho",
        "statistic",
        "p_value",
    ]
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- raters


def calibration_adherence(
    ratings: pd.DataFrame | _Checked,
    *,
    low_method: str = "nearest",
    low_score: int = 1,
    high_method: str = "hr",
    high_score: int = 5,
    tolerance: float = 1,
) -> pd.DataFrame:
    """How each rater scored the versions the calibration anchored (NN = 1, HR = 5).

    The paper calibrated raters on the NN and HR versions of training images; the same
    two methods are among the rated versions, so their scores show whether a rater kept
    to the anchors. Per rater: ``low_n, low_mean, low_within, high_n, high_mean,
    high_within, calibration_ok``; ``*_within`` is the share of single scores within
    ``tolerance`` of the anchor (P.808 gold items accept +-1).

    Rule: ``calibration_ok`` when the rater's *mean* score of each anchor method is
    within ``tolerance`` of the anchor score. The mean, not every single score, because
    an attentive rater still slips now and then over 100 NN images, while a rater who
    inverted or ignored the scale misses by 2 or more on average. A rater who rated
    neither anchor method has ``calibration_ok`` = NA (nullable boolean): not judged,
    which is different from failed; one who rated only one is judged on that one.
    """
    df = _first(ratings)
    raters = pd.Index(sorted(df["rater"].unique(), key=_sort_key), name="rater")
    out = pd.DataFrame(index=raters)
    ok = pd.Series(True, index=raters, dtype="boolean")
    judged = pd.Series(False, index=raters)
    for prefix, meth, anchor in (("low", low_method, low_score), ("high", high_method, high_score)):
        part = df[df["method"].to_numpy() == meth]
        within = (part["score"] - anchor).abs() <= tolerance
        g = part.assign(within=within).groupby("rater", observed=True)
        out[f"{prefix}_n"] = g.size().reindex(raters, fill_value=0).astype(np.int64)
        out[f"{prefix}_mean"] = g["score"].mean().reindex(raters)
        out[f"{prefix}_within"] = g["within"].mean().reindex(raters)
        has = out[f"{prefix}_n"] > 0
        judged |= has
        ok &= ~has | ((out[f"{prefix}_mean"] - anchor).abs() <= tolerance)
    ok[~judged] = pd.NA  # type: ignore[call-overload]  # a nullable "boolean" Series
    out["calibration_ok"] = ok
    return out.reset_index()


def bt500_screening(
    ratings: pd.DataFrame | _Checked,
    *,
    ddof: int = 0,
    count_zero_variance: bool = False,
) -> pd.DataFrame:
    """Observer screening of ITU-R BT.500 Annex 2, 2.3.1, one row per rater.

    Per stimulus (dataset, image, method; first presentations): mean, standard
    deviation S and kurtosis beta2 = m4 / m2^2 (central moments over N). If
    2 <= beta2 <= 4 (about normal) the band is mean +- 2 S, otherwise +- sqrt(20) S.
    A rating at or above the upper edge counts in the rater's P, at or below the lower
    edge in Q. The rater is rejected when ``(P + Q) / N > 0.05`` and
    ``|P - Q| / (P + Q) < 0.3``, N being the number of stimuli they rated.

    Columns: ``rater, N, P, Q, ratio, asymmetry, rejected``.

    ``ddof=0`` (default): S**2 is the central moment m2 that beta2 is built from, as in
    sureal's ``SubjrejMosModel``, the reference implementation this is checked against;
    ``ddof=1`` uses the sample standard deviation (N - 1), as the Recommendation defines
    S for its confidence intervals. It matters at the margin: on the Netflix public
    dataset (26 raters) ``ddof=0`` rejects r03 with (P + Q) / N = 4/79 = 0.0506;
    ``ddof=1`` widens the bands and rejects nobody (r03 falls to 3/79 = 0.038).
    ``count_zero_variance=False``:
    a stimulus every rater scored the same (S = 0) has a zero-width band that every
    rating sits on, so taken literally it adds one P *and* one Q to every rater (sureal
    does this). On ACR data unanimous stimuli are common (everyone gives NN a 1), and
    counting them pushes whole panels towards rejection, so they are skipped unless
    ``count_zero_variance=True``. ``ddof=0, count_zero_variance=True`` reproduces
    sureal's ``SubjrejMosModel`` statistics exactly (with every rater rating every
    stimulus); unlike sureal, rejecting the whole panel is reported, not undone.
    """
    df = _first(ratings)
    stim, _ = _group_codes(df, STIMULUS)
    rater, raters = _group_codes(df, ["rater"])
    x = df["score"].to_numpy(float)
    n = np.bincount(stim).astype(float)
    mean = np.bincount(stim, weights=x) / n
    dev = x - mean[stim]
    m2 = np.bincount(stim, weights=dev**2) / n
    m4 = np.bincount(stim, weights=dev**4) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        beta2 = m4 / m2**2
        s = np.sqrt(m2 * n / (n - ddof))
    k = np.where((beta2 >= 2) & (beta2 <= 4), 2.0, np.sqrt(20.0))
    band = (k * s)[stim]
    counted = np.ones_like(x, dtype=bool) if count_zero_variance else (m2 > 0)[stim]
    above = counted & (x >= mean[stim] + band)
    below = counted & (x <= mean[stim] - band)
    n_r = np.bincount(rater, minlength=len(raters))
    p = np.bincount(rater, weights=above, minlength=len(raters)).astype(np.int64)
    q = np.bincount(rater, weights=below, minlength=len(raters)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (p + q) / n_r
        asymmetry = np.abs(p - q) / (p + q)
    out = raters.copy()
    out["N"] = n_r
    out["P"] = p
    out["Q"] = q
    out["ratio"] = ratio
    out["asymmetry"] = asymmetry
    out["rejected"] = (ratio > 0.05) & (asymmetry < 0.3)
    return out


def rater_agreement(
    ratings: pd.DataFrame | _Checked,
    *,
    max_mode_share: float = 0.9,
    min_ratings: int = 10,
) -> pd.DataFrame:
    """Each rater against the panel: correlation with the leave-one-out MOS, and spread.

    For each of a rater's ratings the reference is the mean of the *other* raters'
    scores of that stimulus (leave-one-out, so a rater is not compared with
    themselves; stimuli nobody else rated are skipped). Columns: ``rater, n,
    pearson, spearman, mean_score, score_std, mode_share, straight_liner``.
    ``score_std`` is the sample standard deviation of the rater's scores and
    ``mode_share`` the share of their most frequent score.

    Straight-lining rule: ``straight_liner`` when the rater gave at least
    ``min_ratings`` scores and one score makes up more than ``max_mode_share`` (90 %)
    of them; that includes zero variance. A study like the paper's spans NN to HR,
    so an attentive rater cannot honestly use one category 90 % of the time.
    """
    df = _first(ratings)
    stim, _ = _group_codes(df, STIMULUS)
    rater, raters = _group_codes(df, ["rater"])
    x = df["score"].to_numpy(float)
    n_s = np.bincount(stim)
    sum_s = np.bincount(stim, weights=x)
    others = n_s[stim] - 1
    keep = others > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        loo = (sum_s[stim] - x) / others
    n_r = len(raters)
    pearson = _grouped_pearson(rater[keep], x[keep], loo[keep], n_r)
    xr = _grouped_rank(rater[keep], x[keep])
    yr = _grouped_rank(rater[keep], loo[keep])
    spearman = _grouped_pearson(rater[keep], xr, yr, n_r)
    counts = np.zeros((n_r, len(SCORES)))
    np.add.at(counts, (rater, df["score"].to_numpy() - 1), 1)
    n = counts.sum(1)
    mean = np.bincount(rater, weights=x, minlength=n_r) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.bincount(rater, weights=(x - mean[rater]) ** 2, minlength=n_r) / (n - 1)
    mode_share = counts.max(1) / n
    out = raters.copy()
    out["n"] = n.astype(np.int64)
    out["pearson"] = pearson
    out["spearman"] = spearman
    out["mean_score"] = mean
    out["score_std"] = np.sqrt(var)
    out["mode_share"] = mode_share
    out["straight_liner"] = (n >= min_ratings) & (mode_share > max_mode_share)
    return out


def _grouped_pearson(g: Codes, x: FloatArray, y: FloatArray, n_groups: int) -> FloatArray:
    """Pearson r of x and y within each group code (NaN for < 2 points or no variance)."""
    n = np.bincount(g, minlength=n_groups).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.bincount(g, weights=x, minlength=n_groups) / n
        my = np.bincount(g, weights=y, minlength=n_groups) / n
        dx = x - mx[g]
        dy = y - my[g]
        sxy = np.bincount(g, weights=dx * dy, minlength=n_groups)
        sxx = np.bincount(g, weights=dx * dx, minlength=n_groups)
        syy = np.bincount(g, weights=dy * dy, minlength=n_groups)
        r = sxy / np.sqrt(sxx * syy)
    # Constant data leave sums of squares at rounding noise, not exactly 0.
    scale = np.maximum(np.abs(mx), np.abs(my)) ** 2 * n
    tiny = (sxx <= 1e-20 * scale) | (syy <= 1e-20 * scale)
    r[tiny | (n < 2)] = np.nan
    clipped: FloatArray = np.clip(r, -1.0, 1.0)
    return clipped


def _grouped_rank(g: Codes, x: FloatArray) -> FloatArray:
    """Average ranks of x within each group code, as scipy.stats.rankdata per group."""
    return cast(FloatArray, pd.Series(x).groupby(g).rank(method="average").to_numpy())


def _group_codes(df: pd.DataFrame, columns: list[str]) -> tuple[Codes, pd.DataFrame]:
    """Dense integer codes of ``columns`` (sorted) and the table of their values."""
    grouped = df.groupby(columns, sort=True, observed=True)
    codes = cast(Codes, grouped.ngroup().to_numpy())
    keys = grouped.size().index.to_frame(index=False)
    return codes, keys


def _sort_key(value: object) -> tuple[str, object]:
    return (type(value).__name__, value)


# --------------------------------------------------------------------------- P.910 model

MAX_ITERATIONS = 1000
DELTA_THRESHOLD = 1e-8
EPSILON = 1e-8


def subject_model(
    ratings: pd.DataFrame | _Checked,
    *,
    repeats: bool = False,
    zero_mean_bias: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ITU-T P.910 Annex E / P.913 subject model: score = quality + bias + inconsistency * noise.

    Maximum-likelihood estimate solved by the alternating projection of Netflix sureal's
    ``MaximumLikelihoodEstimationModelContentObliviousAlternativeProjection2``
    (Li & Bampis 2017; Li et al. 2020), vectorised over a long table so missing
    ratings cost nothing and 1,000 raters x 1,000 stimuli take seconds:

    1. quality = per-stimulus mean; bias = per-rater mean of (score - quality).
    2. Repeat: residual e = score - quality - bias; inconsistency v_r = std of e over the
       rater's ratings and v_s = std of e over the stimulus' ratings (ddof 0);
       quality = mean of (score - bias) over the stimulus' ratings weighted by
       1 / (v_r^2 + 1e-8); bias = mean of (score - quality) over the rater's ratings;
       stop once the L2 norm of the change in quality is below 1e-8 (or 1000 rounds).
    3. quality_std = v_s / sqrt(n_s) (the "2" variant: per-stimulus residual spread),
       bias_std = v_r / sqrt(n_r), inconsistency_std from the observed information,
       inconsistency CI from the chi-square distribution with n_r degrees of freedom;
       95 % intervals are +-1.95996 std. Both std use v of the last round, as sureal.
    4. With ``zero_mean_bias`` (sureal's default) the mean bias over raters is moved
       into the qualities, so biases are relative to the average rater.

    ``repeats=True`` adds the retest ratings as repeated observations (sureal's
    repetitions); by default first presentations only, as everywhere else.

    Caveat inherited from the method: a rater with one or two ratings has a residual
    spread near 0, hence a weight near 1e8, and pins the qualities of the stimuli they
    rated. Raters who quit early belong out of the fit (``exclude_raters``) or should be
    judged knowing this; ``n`` is in the output for that reason.

    Returns ``(stimuli, raters)``: ``stimuli`` has ``dataset, image, method, n, mos,
    quality, quality_std, ci95_low, ci95_high``; ``raters`` has ``rater, n, bias,
    bias_std, bias_ci95_low, bias_ci95_high, inconsistency, inconsistency_std,
    inconsistency_ci95_low, inconsistency_ci95_high``. Both carry ``attrs["iterations"]``.
    """
    df = _table(ratings)
    if not repeats:
        df = df[df["repeat"].to_numpy() == 0]
    if df.empty:
        raise ValueError("subject_model: no ratings")
    j, stimuli = _group_codes(df, STIMULUS)
    i, raters = _group_codes(df, ["rater"])
    x = df["score"].to_numpy(float)
    s_j, b_i, v_i, v_j, iterations = _alternating_projection(x, i, j)
    s_std, b_std, v_std, v_low, v_high = _subject_errors(x, i, j, s_j, b_i, v_i, v_j)
    if zero_mean_bias:
        shift = b_i.mean()
        b_i = b_i - shift
        s_j = s_j + shift

    stim_out = stimuli.copy()
    stim_out["n"] = np.bincount(j).astype(np.int64)
    stim_out["mos"] = np.bincount(j, weights=x) / np.bincount(j).astype(float)
    stim_out["quality"] = s_j
    stim_out["quality_std"] = s_std
    stim_out["ci95_low"] = s_j - Z975 * s_std
    stim_out["ci95_high"] = s_j + Z975 * s_std
    rater_out = raters.copy()
    rater_out["n"] = np.bincount(i).astype(np.int64)
    rater_out["bias"] = b_i
    rater_out["bias_std"] = b_std
    rater_out["bias_ci95_low"] = b_i - Z975 * b_std
    rater_out["bias_ci95_high"] = b_i + Z975 * b_std
    rater_out["inconsistency"] = v_i
    rater_out["inconsistency_std"] = v_std
    rater_out["inconsistency_ci95_low"] = v_i - v_low
    rater_out["inconsistency_ci95_high"] = v_i + v_high
    for table in (stim_out, rater_out):
        table.attrs["iterations"] = iterations
    return stim_out, rater_out


def _group_std(codes: Codes, counts: FloatArray, values: FloatArray) -> FloatArray:
    """Standard deviation (ddof 0) of ``values`` within each group code."""
    centred = values - (np.bincount(codes, weights=values) / counts)[codes]
    std: FloatArray = np.sqrt(np.bincount(codes, weights=centred**2) / counts)
    return std


def _alternating_projection(
    x: FloatArray, i: Codes, j: Codes
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, int]:
    """Steps 1 and 2 of :func:`subject_model` for scores ``x`` of raters ``i``, stimuli ``j``.

    Returns quality per stimulus, bias per rater, the inconsistencies v_r and v_s of
    the last round, and the number of rounds.
    """
    n_j = np.bincount(j).astype(float)
    n_i = np.bincount(i).astype(float)
    s_j = np.bincount(j, weights=x) / n_j
    b_i = np.bincount(i, weights=x - s_j[j]) / n_i
    iterations = 0
    while True:
        previous = s_j
        residual = x - s_j[j] - b_i[i]
        v_i = _group_std(i, n_i, residual)
        v_j = _group_std(j, n_j, residual)
        w = (1.0 / (v_i**2 + EPSILON))[i]
        s_j = np.bincount(j, weights=(x - b_i[i]) * w) / np.bincount(j, weights=w)
        b_i = np.bincount(i, weights=x - s_j[j]) / n_i
        iterations += 1
        if np.linalg.norm(previous - s_j) < DELTA_THRESHOLD or iterations >= MAX_ITERATIONS:
            return s_j, b_i, v_i, v_j, iterations


def _subject_errors(
    x: FloatArray,
    i: Codes,
    j: Codes,
    s_j: FloatArray,
    b_i: FloatArray,
    v_i: FloatArray,
    v_j: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Step 3 of :func:`subject_model`: quality, bias and inconsistency std, and the
    half-widths below and above the inconsistency of its chi-square interval."""
    n_j = np.bincount(j).astype(float)
    n_i = np.bincount(i).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        s_std = 1.0 / np.sqrt(np.maximum(0.0, n_j / v_j**2))
        b_std = 1.0 / np.sqrt(np.maximum(0.0, n_i / v_i**2))
        residual = x - s_j[j] - b_i[i]
        # Second derivative of the log-likelihood in v_r: n/v^2 - 3 sum(e^2)/v^4.
        lpp = n_i / v_i**2 - 3.0 * np.bincount(i, weights=residual**2) / v_i**4
        v_std = 1.0 / np.sqrt(np.maximum(0.0, -lpp))
        v_low = (1 - np.sqrt(n_i / sps.chi2.ppf(0.975, df=n_i))) * v_i
        v_high = (np.sqrt(n_i / sps.chi2.ppf(0.025, df=n_i)) - 1) * v_i
    return s_std, b_std, v_std, v_low, v_high


# --------------------------------------------------------------------------- screening


class CalibrationOptions(TypedDict, total=False):
    """The keyword arguments of :func:`calibration_adherence`."""

    low_method: str
    low_score: int
    high_method: str
    high_score: int
    tolerance: float


def screen_raters(
    ratings: pd.DataFrame,
    *,
    min_corr: float = 0.5,
    max_inconsistency_ratio: float = 2.0,
    calibration: CalibrationOptions | None = None,
    min_response_ms: float = DEFAULT_MIN_RESPONSE_MS,
) -> pd.DataFrame:
    """One row per rater combining every screen; it marks raters, it excludes nobody.

    Columns: ``rater, n, simulated, calibration_ok, bt500_rejected, corr_with_mos,
    score_std, straight_liner, p910_bias, p910_inconsistency, median_server_ms,
    too_fast, flagged, reasons``.
    ``flagged`` is true when any of these holds, and ``reasons`` lists them
    (``;``-separated, empty when none):

    * ``bt500``: rejected by :func:`bt500_screening` (defaults);
    * ``calibration``: :func:`calibration_adherence` failed (``calibration`` holds its
      options; NA, i.e. no anchors rated, does not flag);
    * ``straight_lining``: see :func:`rater_agreement`;
    * ``low_correlation``: Pearson correlation with the leave-one-out MOS below
      ``min_corr`` (0.5; VQEG test plans use 0.75 for panels in a lab, crowd panels
      are noisier; NaN, a constant rater, is covered by straight-lining);
    * ``inconsistent``: P.910 inconsistency above ``max_inconsistency_ratio`` times the
      panel's median inconsistency;
    * ``too_fast``: the median of the rater's ``server_ms`` (the server's clock, which
      a script cannot fake as it can ``response_ms``) below ``min_response_ms``; NaN,
      i.e. no server times (imported or simulated ratings), does not flag.

    To drop the flagged raters use ``exclude_raters(ratings, screen.loc[screen.flagged,
    "rater"])`` and say so in whatever is published.
    """
    first = _Checked(_first(ratings))
    if first.frame.empty:
        raise ValueError("screen_raters: no ratings")
    agreement = rater_agreement(first).set_index("rater")
    bt500 = bt500_screening(first).set_index("rater")
    calib = calibration_adherence(first, **(calibration or {})).set_index("rater")
    _, model = subject_model(first)
    frame = first.frame
    model = model.set_index("rater")
    raters = agreement.index
    if "simulated" in frame:
        simulated = frame.groupby("rater", observed=True)["simulated"].any().reindex(raters)
        simulated = simulated.fillna(False).astype(bool)
    else:
        simulated = pd.Series(False, index=raters)
    out = pd.DataFrame(index=raters)
    out["n"] = agreement["n"]
    out["simulated"] = simulated
    out["calibration_ok"] = calib["calibration_ok"].reindex(raters)
    out["bt500_rejected"] = bt500["rejected"].reindex(raters)
    out["corr_with_mos"] = agreement["pearson"]
    out["score_std"] = agreement["score_std"]
    out["straight_liner"] = agreement["straight_liner"]
    out["p910_bias"] = model["bias"].reindex(raters)
    out["p910_inconsistency"] = model["inconsistency"].reindex(raters)
    median_v = np.nanmedian(out["p910_inconsistency"].to_numpy())
    out["median_server_ms"] = _median_server_ms(frame, raters)
    out["too_fast"] = (out["median_server_ms"] < min_response_ms).to_numpy(bool)
    reasons = {
        "bt500": out["bt500_rejected"].to_numpy(bool),
        "calibration": (out["calibration_ok"] == False).fillna(False).to_numpy(bool),  # noqa: E712
        "straight_lining": out["straight_liner"].to_numpy(bool),
        "low_correlation": (out["corr_with_mos"] < min_corr).to_numpy(bool),
        "inconsistent": (out["p910_inconsistency"] > max_inconsistency_ratio * median_v).to_numpy(
            bool
        ),
        "too_fast": out["too_fast"].to_numpy(bool),
    }
    flags = np.column_stack(list(reasons.values()))
    names = np.array(list(reasons))
    out["flagged"] = cast("npt.NDArray[np.bool_]", flags.any(1))
    out["reasons"] = [";".join(names[row]) for row in flags]
    return out.reset_index()


def _median_server_ms(frame: pd.DataFrame, raters: pd.Index[str]) -> FloatArray:
    """Each rater's median ``server_ms``, in the order of ``raters`` (NaN without times)."""
    if "server_ms" not in frame:
        return np.full(len(raters), np.nan)
    times = pd.to_numeric(frame["server_ms"], errors="coerce").astype(float)
    medians = times.groupby(frame["rater"], observed=True).median().reindex(raters)
    return cast(FloatArray, medians.to_numpy(float))
