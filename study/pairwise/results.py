"""What a two-image study's choices say: read once, computed per kind, for export and dashboard.

:func:`read_results` reads the study (every trial handed out, the raters, the arms'
method order) into a :class:`Results` whose ``choices`` are the answered trials the
analysis uses (simulated raters left out on request). The kind's statistics then
fill ``tables``: :func:`preference_tables` (kind "pairwise": exact binomial tests per
pair and the Thurstone Case V scale with bootstrap CIs) or :func:`realism_tables`
(kind "2afc-real": the fool rate per method), each a thin call of
:mod:`study.pairwise.stats` on the same choices, so an export can be recomputed from
its ``choices.csv``. Nothing here writes to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from study.analysis.selectors import method_labels, raters_table
from study.pairwise import selectors, stats
from study.protocol.config import REFERENCE_METHODS
from study.protocol.models import Study

# choices.csv: one row per answered trial; left/right/chosen are method keys.
CHOICES_COLUMNS = [
    "rater",
    "simulated",
    "dataset",
    "image",
    "position",
    "left",
    "right",
    "chosen",
    "response_ms",
    "server_ms",
    "submitted_at",
]
# Bootstrap of the scale's CIs: draws over raters (issue 15), seeded by the study's seed.
BOOTSTRAP_DRAWS = 1000


class ResultsError(ValueError):
    """The choices cannot be analysed as asked (none yet, a bad option); nothing written."""


@dataclass(frozen=True)
class ResultOptions:
    """What the researcher chose: who is left out, the test level, the bootstrap."""

    exclude_simulated: bool = False
    alpha: float = 0.05
    draws: int = BOOTSTRAP_DRAWS
    seed: int = 0


@dataclass
class Results:
    study: Study
    kind: str
    design: str
    options: ResultOptions
    # Every trial handed out (answered or not), raters by name: selectors.TRIAL_COLUMNS.
    trials: pd.DataFrame
    # The answered trials analysed, in rater and position order: CHOICES_COLUMNS.
    choices: pd.DataFrame
    # dataset -> the arm's method order (the reference of 2afc-real is not a method).
    methods: dict[str, list[str]]
    labels: dict[str, str]
    # The method every trial compares against (2afc-real: "hr"), None for pairwise.
    reference: str | None
    # Every rater of the study (analysis.selectors.raters_table) and those left out.
    raters: pd.DataFrame
    excluded: list[str]
    # The kind's tables by file name ("pairwise.csv", "scale.csv", "foolrate.csv").
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def read_results(*, study: Study, options: ResultOptions) -> Results:
    """The study's trials and the choices the analysis uses (tables not computed yet)."""
    if not 0 < options.alpha < 1:
        raise ResultsError(f"--alpha: between 0 and 1, got {options.alpha}")
    kind = selectors.kind(study)
    raters = raters_table(study=study)
    trials = selectors.trials_frame(study=study)
    names = dict(zip(raters["number"], raters["rater"], strict=True))
    trials["rater"] = [names.get(number, str(number)) for number in trials["rater"]]
    answered = selectors.answered(trials)
    excluded: list[str] = []
    if options.exclude_simulated:
        excluded = list(pd.unique(answered.loc[answered["simulated"], "rater"]))
        answered = answered[~answered["simulated"]].reset_index(drop=True)
    choices = answered.loc[:, CHOICES_COLUMNS].copy()
    choices["position"] = choices["position"].astype(np.int64)
    # pandas-stubs has no overload for a Series made "Int64" (pandas accepts it).
    choices["response_ms"] = pd.array(choices["response_ms"], dtype="Int64")  # type: ignore[call-overload]
    choices["server_ms"] = pd.array(choices["server_ms"], dtype="Int64")  # type: ignore[call-overload]
    at = pd.to_datetime(choices["submitted_at"], utc=True)
    choices["submitted_at"] = at.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    methods = selectors.layout(study=study).methods
    reference = REFERENCE_METHODS.get(kind)
    keys = [m for order in methods.values() for m in order] + ([reference] if reference else [])
    return Results(
        study=study,
        kind=kind,
        design=selectors.design(study),
        options=options,
        trials=trials,
        choices=choices,
        methods=methods,
        labels=method_labels(keys=dict.fromkeys(keys)),
        reference=reference,
        raters=raters,
        excluded=excluded,
    )


def choices_for_stats(choices: pd.DataFrame) -> pd.DataFrame:
    """``choices.csv`` rows as the long table of :mod:`stats` (method_a shown left)."""
    return pd.DataFrame(
        {
            "rater": choices["rater"].astype(str),
            "dataset": choices["dataset"],
            "image": choices["image"],
            "method_a": choices["left"],
            "method_b": choices["right"],
            "winner": choices["chosen"],
        }
    )


def _present_order(results: Results) -> dict[str, list[str]]:
    """Per dataset with choices, the arm's methods in order (those chosen between)."""
    return {
        dataset: order
        for dataset, order in results.methods.items()
        if (results.choices["dataset"] == dataset).any()
    }


def preference_tables(results: Results) -> dict[str, pd.DataFrame]:
    """Kind "pairwise": ``pairwise.csv`` (binomial tests) and ``scale.csv`` (JOD, CIs, BT).

    The scale's reference is the arm's first method (the first with a choice, while
    an active design has not compared it yet); its CI is [0, 0].
    """
    table = choices_for_stats(results.choices)
    order = _present_order(results)
    if table.empty:
        return {"pairwise.csv": _empty_pairwise(), "scale.csv": _empty_scale()}
    compared = {
        dataset: set(part["method_a"]) | set(part["method_b"])
        for dataset, part in table.groupby("dataset")
    }
    reference = {d: next(m for m in order[d] if m in compared[d]) for d in order}
    pairwise = stats.pairwise_tests(table, methods=order, alpha=results.options.alpha)
    scale = stats.scale_with_ci(
        table,
        methods=order,
        reference=reference,
        draws=results.options.draws,
        seed=results.options.seed,
    )
    return {"pairwise.csv": pairwise, "scale.csv": scale}


def realism_tables(results: Results) -> dict[str, pd.DataFrame]:
    """Kind "2afc-real": ``foolrate.csv``, per dataset and method in the arm's order."""
    if results.reference is None:  # pragma: no cover - the kind defines its reference
        raise ResultsError(f"study kind {results.kind!r} has no reference method")
    trials = selectors.fool_table(results.choices, reference=results.reference)
    if trials.empty:
        return {"foolrate.csv": _empty_foolrate()}
    found = stats.fool_rate(trials)
    rank = {(d, m): k for k, (d, m) in enumerate(_arm_pairs(results.methods))}
    key = [
        rank.get((d, m), len(rank)) for d, m in zip(found["dataset"], found["method"], strict=True)
    ]
    return {"foolrate.csv": found.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)}


def _arm_pairs(methods: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(dataset, method) for dataset, order in methods.items() for method in order]


def _empty_pairwise() -> pd.DataFrame:
    columns = ["dataset", "method_a", "method_b", "n", "wins_a", "wins_b", "p", "p_holm"]
    return pd.DataFrame(columns=[*columns, "significant"])


def _empty_scale() -> pd.DataFrame:
    return pd.DataFrame(columns=["dataset", "method", "jod", "ci95_low", "ci95_high", "bt_score"])


def _empty_foolrate() -> pd.DataFrame:
    columns = ["dataset", "method", "n", "chose_generated", "rate", "ci95_low", "ci95_high", "p"]
    return pd.DataFrame(columns=columns)
