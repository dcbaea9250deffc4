"""Synthetic ACR ratings with a known truth: score = quality + rater bias + noise, rounded.

For demos, load tests and for checking that the statistics recover what was planted.
The model is the P.910 Annex E subject model that :func:`study.analysis.stats.subject_model`
estimates: a rater's bias is drawn once, N(0, bias_sd); each rating adds N(0, noise_sd)
(the rater's inconsistency); the sum is rounded to the nearest integer and clipped to 1..5.

Every random number is a hash of (seed, rater[, stimulus, repeat]) turned into a
normal deviate, not a draw from a stream. So a rating does not depend on the order of
the plan, on which other rows are scored with it, or on scoring rater by rater or all
at once: the ``simulate_raters`` command and a one-shot simulation agree. Pure pandas,
NumPy and SciPy; no Django.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri

__all__ = ["rater_biases", "score_plan", "simulate_ratings"]

STIMULUS = ["dataset", "image", "method"]


def _normals(frame: pd.DataFrame, *, seed: int, stream: str) -> np.ndarray:
    """One standard normal deviate per row, a deterministic function of (seed, stream, row)."""
    key = hashlib.blake2b(f"{stream}:{seed}".encode(), digest_size=8).hexdigest()
    hashed = pd.util.hash_pandas_object(frame, index=False, hash_key=key).to_numpy(np.uint64)
    # 53 high bits -> a uniform in (0, 1), open at both ends, then the normal quantile.
    uniform = ((hashed >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
    return ndtri(uniform)


def rater_biases(raters: Sequence[str], *, seed: int, bias_sd: float = 0.3) -> pd.Series:
    """The planted bias of each rater (what the subject model should recover)."""
    names = pd.Series(list(raters), dtype=object).astype(str)
    z = _normals(names.to_frame("rater"), seed=seed, stream="bias")
    return pd.Series(bias_sd * z, index=pd.Index(names, name="rater"), name="bias")


def score_plan(
    plan: pd.DataFrame,
    *,
    quality: Mapping[str, float] | pd.DataFrame,
    seed: int,
    bias_sd: float = 0.3,
    noise_sd: float | Mapping[str, float] = 0.7,
) -> pd.Series:
    """Integer scores 1..5 for the rows of ``plan`` (``rater, dataset, image, method``
    and optionally ``repeat``, 0 when absent), aligned with ``plan.index``.

    ``quality`` is the true mean score: a mapping method -> quality (the same for every
    image), or a DataFrame with a ``quality`` column and any of ``dataset, image,
    method`` as keys (per method, per dataset and method, or per stimulus).
    ``noise_sd`` is one inconsistency for all raters or a mapping rater -> inconsistency.
    A repeat of a stimulus gets fresh noise, as a real retest would.
    """
    missing = [c for c in ("rater", *STIMULUS) if c not in plan.columns]
    if missing:
        raise ValueError(f"score_plan: plan lacks column(s) {', '.join(map(repr, missing))}")
    keys = pd.DataFrame(
        {c: plan[c].astype(str).to_numpy() for c in ("rater", *STIMULUS)}, index=plan.index
    )
    repeat = plan["repeat"] if "repeat" in plan else pd.Series(0, index=plan.index)
    keys["repeat"] = repeat.to_numpy(np.int64)
    q = _quality(keys, quality)
    bias = rater_biases(pd.unique(keys["rater"]), seed=seed, bias_sd=bias_sd)
    b = bias.reindex(keys["rater"]).to_numpy()
    if isinstance(noise_sd, Mapping):
        sd = keys["rater"].map({str(k): float(v) for k, v in noise_sd.items()})
        if sd.isna().any():
            raise ValueError(
                f"score_plan: no noise_sd for rater {keys['rater'][sd.isna()].iloc[0]!r}"
            )
        sd = sd.to_numpy(float)
    else:
        sd = float(noise_sd)
    z = _normals(keys, seed=seed, stream="noise")
    scores = np.clip(np.rint(q + b + sd * z), 1, 5).astype(np.int64)
    return pd.Series(scores, index=plan.index, name="score")


def _quality(keys: pd.DataFrame, quality: Mapping[str, float] | pd.DataFrame) -> np.ndarray:
    if isinstance(quality, pd.DataFrame):
        on = [c for c in STIMULUS if c in quality.columns]
        if "quality" not in quality.columns or not on:
            raise ValueError(
                "score_plan: a quality table needs a 'quality' column and at least one of "
                "'dataset', 'image', 'method'"
            )
        table = quality[[*on, "quality"]].copy()
        for c in on:
            table[c] = table[c].astype(str)
        if table.duplicated(on).any():
            raise ValueError(f"score_plan: quality table has duplicate rows for {on}")
        merged = keys[on].merge(table, on=on, how="left")
        q = merged["quality"].to_numpy(float)
    else:
        lookup = {str(k): float(v) for k, v in quality.items()}
        q = keys["method"].map(lookup).to_numpy(float)
        on = ["method"]
    absent = np.isnan(q)
    if absent.any():
        row = keys.iloc[int(np.argmax(absent))]
        raise ValueError("score_plan: no quality for " + ", ".join(f"{c}={row[c]!r}" for c in on))
    return q


def simulate_ratings(
    *,
    stimuli: pd.DataFrame,
    n_raters: int,
    seed: int,
    bias_sd: float = 0.3,
    noise_sd: float | Sequence[float] = 0.7,
    retest: int | pd.DataFrame | None = None,
    prefix: str = "sim",
) -> pd.DataFrame:
    """A complete simulated study: every rater rates every stimulus once, in random order.

    ``stimuli`` has ``dataset, image, method, quality``. Raters are named
    ``<prefix>0001`` .. (zero-padded to sort). ``noise_sd`` is one inconsistency for all
    raters or one per rater. ``retest`` adds a second presentation (``repeat = 1``) of
    some stimuli for every rater: a DataFrame of ``dataset, image, method`` rows, or a
    number of stimuli chosen from ``seed``. Returns the long ratings table of
    :mod:`study.analysis.stats` with ``simulated = True`` and each rater's
    ``position`` (0-based presentation order). Same arguments, same table.
    """
    if n_raters < 1:
        raise ValueError(f"simulate_ratings: n_raters must be positive, got {n_raters}")
    missing = [c for c in (*STIMULUS, "quality") if c not in stimuli.columns]
    if missing:
        raise ValueError(
            f"simulate_ratings: stimuli lack column(s) {', '.join(map(repr, missing))}"
        )
    table = stimuli[[*STIMULUS, "quality"]].reset_index(drop=True)
    if table.duplicated(STIMULUS).any():
        raise ValueError("simulate_ratings: stimuli has duplicate (dataset, image, method) rows")
    rng = np.random.default_rng(seed)
    width = max(4, len(str(n_raters)))
    raters = [f"{prefix}{k:0{width}d}" for k in range(1, n_raters + 1)]
    design = table[STIMULUS].assign(repeat=0)
    if retest is not None:
        if isinstance(retest, pd.DataFrame):
            again = retest[STIMULUS].drop_duplicates()
            unknown = again.merge(table, on=STIMULUS, how="left")["quality"].isna()
            if unknown.any():
                raise ValueError(
                    "simulate_ratings: retest stimulus not in stimuli: "
                    f"{tuple(again.iloc[int(np.argmax(unknown.to_numpy()))])}"
                )
        else:
            if not 0 <= retest <= len(table):
                raise ValueError(f"simulate_ratings: retest must be 0..{len(table)}, got {retest}")
            again = table.loc[np.sort(rng.choice(len(table), retest, replace=False)), STIMULUS]
        design = pd.concat([design, again.assign(repeat=1)], ignore_index=True)
    n_items = len(design)
    plan = design.iloc[np.tile(np.arange(n_items), n_raters)].reset_index(drop=True)
    plan.insert(0, "rater", np.repeat(np.array(raters, dtype=object), n_items))
    # Presentation order: an independent random permutation per rater.
    order = np.argsort(rng.random((n_raters, n_items)), axis=1)
    position = np.empty_like(order)
    np.put_along_axis(position, order, np.arange(n_items)[None, :], axis=1)
    plan["position"] = position.ravel()
    if np.ndim(noise_sd) == 0:
        sd: float | dict[str, float] = float(noise_sd)
    else:
        if len(noise_sd) != n_raters:
            raise ValueError(
                f"simulate_ratings: noise_sd has {len(noise_sd)} values for {n_raters} raters"
            )
        sd = dict(zip(raters, map(float, noise_sd), strict=True))
    plan["score"] = score_plan(plan, quality=table, seed=seed, bias_sd=bias_sd, noise_sd=sd)
    plan["simulated"] = True
    return plan[["rater", *STIMULUS, "score", "repeat", "simulated", "position"]]
