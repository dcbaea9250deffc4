"""The statistics of a study in one pass: the long ratings frame and the study's facts in,
every tidy table out.

:func:`analyse_ratings` is the one place the numbers of a study are computed: the
export writes all of its tables (:mod:`study.analysis.exports`), the dashboard shows a
part of them (:mod:`study.analysis.dashboard`: MOS, Wilcoxon, screening), so the two
never disagree. It is pure: it reads no database and writes no file (the callers read
the ratings and :class:`StudyFacts` through :mod:`study.analysis.selectors`), and it
rounds nothing, which is the renderers' business.

Which raters are analysed is explicit: by default every rater with ratings;
``exclude_screened`` drops the raters ``stats.screen_raters`` flags (screened on the
whole panel), ``exclude_rejected`` those the study's ``[quality] reject_if`` rejects
(:mod:`study.analysis.acceptance`), ``exclude_simulated`` the simulated ones (before
screening). The analysis says who was used, who was excluded and why (``raters``,
``excluded``), and who is accepted for payment (``acceptance``, ``payments``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from study.analysis import stats
from study.analysis.acceptance import payments_table, rater_acceptance
from study.srgan2017 import dataset_order, method_order

# raters.csv: every rater with ratings, screened, and whether the analysis excluded them.
RATERS_COLUMNS = [
    "rater",
    "n",
    "simulated",
    "calibration_ok",
    "bt500_rejected",
    "corr_with_mos",
    "score_std",
    "p910_bias",
    "p910_inconsistency",
    "straight_liner",
    "median_server_ms",
    "too_fast",
    "flagged",
    "reasons",
    "imported",
    "excluded",
    "external_id",
    "completion_code",
    "gold_ok",
    "attention_ok",
    "accepted",
    "rejected_for",
]


class AnalysisError(ValueError):
    """The ratings cannot be analysed: no rater is left after the chosen exclusions."""


@dataclass(frozen=True)
class AnalysisOptions:
    """What the researcher chose: who is excluded, and the test options of ``stats``."""

    exclude_screened: bool = False
    exclude_simulated: bool = False
    exclude_rejected: bool = False
    alpha: float = 0.05
    zero_method: str = "wilcox"
    wilcoxon_method: str = "auto"
    ci: str = "t"


@dataclass(frozen=True, eq=False)
class StudyFacts:
    """What the analysis needs to know of a study besides its ratings.

    ``raters``: every rater of the study (``selectors.raters_table``); ``metrics``:
    mean PSNR / SSIM per arm (``selectors.arm_metrics``); ``labels``: method key ->
    catalog label; ``scales``: dataset -> its upscaling factor in the catalog;
    ``min_response_ms``: the study's floor of a rater's median server-timed response
    (``[session] min_response_ms``; screening flags raters below it as ``too_fast``).
    ``roster``: every rater's link id, code, times and items rated
    (``selectors.rater_roster``; None: every rater with ratings finished, nothing
    else known); ``checks``: gold and attention results (``selectors.quality_checks``);
    ``reject_if``: the study's acceptance rules. ``provenance``: where each arm's
    outputs come from (``selectors.output_provenance``; None: not known).
    """

    name: str
    raters: pd.DataFrame
    metrics: pd.DataFrame
    labels: Mapping[str, str]
    scales: Mapping[str, int]
    min_response_ms: int = stats.DEFAULT_MIN_RESPONSE_MS
    roster: pd.DataFrame | None = None
    checks: pd.DataFrame | None = None
    reject_if: tuple[str, ...] = ()
    provenance: pd.DataFrame | None = None

    def full_roster(self) -> pd.DataFrame:
        """``roster``, or one made of ``raters`` (all finished, no ids) when none is known."""
        if self.roster is not None:
            return self.roster
        return pd.DataFrame(
            {
                "rater": self.raters["rater"],
                "external_source": "",
                "external_id": "",
                "completion_code": "",
                "consented_at": None,
                "finished_at": pd.Timestamp(0, tz="UTC"),
                "rated": 0,
                "rejection_reasons": "",
            }
        )

    def quality_checks(self) -> pd.DataFrame:
        if self.checks is not None:
            return self.checks
        return pd.DataFrame({"rater": [], "gold_ok": [], "attention_ok": []}).astype(
            {"rater": object, "gold_ok": "boolean", "attention_ok": "boolean"}
        )


@dataclass(eq=False)
class Analysis:
    """Every table of a study's analysis, computed once from its ratings."""

    facts: StudyFacts
    options: AnalysisOptions
    ratings: pd.DataFrame
    raters: pd.DataFrame
    excluded: dict[str, list[str]]
    mos: pd.DataFrame
    wilcoxon: pd.DataFrame
    subject_stimuli: pd.DataFrame
    subject_raters: pd.DataFrame
    retest: pd.DataFrame
    # Every rater of the study: finished, gold/attention results, rejected_for, accepted.
    acceptance: pd.DataFrame
    payments: pd.DataFrame
    datasets: list[str]
    methods: list[str]
    labels: dict[str, str]
    total_ratings: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def metrics(self) -> pd.DataFrame:
        return self.facts.metrics

    @property
    def invited_raters(self) -> int:
        return len(self.facts.raters)

    @property
    def screening(self) -> dict[str, str]:
        """Rater -> the screening's reasons (``;``-separated, empty when none)."""
        return dict(zip(self.raters["rater"], self.raters["reasons"], strict=True))


@contextlib.contextmanager
def timed(timings: dict[str, float], step: str) -> Iterator[None]:
    """Add the seconds the block takes to ``timings[step]`` (the benchmark prints them)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0.0) + time.perf_counter() - start


def analyse_ratings(
    ratings: pd.DataFrame,
    *,
    facts: StudyFacts,
    options: AnalysisOptions | None = None,
) -> Analysis:
    """Screen, exclude as ``options`` say, then compute every table of the analysis.

    ``ratings`` is the long frame of ``selectors.ratings_frame`` (every rating of the
    study). Tables come in the paper's dataset and method order. ``timings`` records
    seconds per step (``screening``, ``mos``, ``wilcoxon``, ``p910``, ``retest``).
    """
    options = options or AnalysisOptions()
    if ratings.empty:
        raise AnalysisError(f"study {facts.name!r} has no ratings to analyse")
    timings: dict[str, float] = {}
    panel, screen, excluded, acceptance = _exclude(
        ratings, facts=facts, options=options, timings=timings
    )
    datasets = dataset_order(panel["dataset"].unique())
    methods = method_order(panel["method"].unique())
    with timed(timings, "mos"):
        mos = stats.mos(panel, ci=options.ci)
        mos = _in_order(mos, datasets, methods).merge(
            facts.metrics.drop(columns="images"), on=["dataset", "method"], how="left"
        )
    with timed(timings, "wilcoxon"):
        wilcoxon = _wilcoxon(panel, datasets, methods, options)
    with timed(timings, "p910"):
        subject_stimuli, subject_raters = stats.subject_model(panel)
        subject_stimuli = _in_order(subject_stimuli, datasets, methods, by_image=True)
    with timed(timings, "retest"):
        retest = stats.retest(
            panel, zero_method=options.zero_method, method=options.wilcoxon_method
        )
    return Analysis(
        facts=facts,
        options=options,
        ratings=panel.reset_index(drop=True),
        raters=_raters_table(ratings, screen, facts, excluded, acceptance),
        excluded=excluded,
        mos=mos,
        wilcoxon=wilcoxon,
        subject_stimuli=subject_stimuli,
        subject_raters=subject_raters,
        retest=retest,
        acceptance=acceptance,
        payments=payments_table(
            roster=facts.full_roster(), raters=facts.raters, acceptance=acceptance
        ),
        datasets=datasets,
        methods=methods,
        labels={m: facts.labels.get(m, m) for m in methods},
        total_ratings=len(ratings),
        timings=timings,
    )


def _exclude(
    everything: pd.DataFrame,
    *,
    facts: StudyFacts,
    options: AnalysisOptions,
    timings: dict[str, float],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[str]], pd.DataFrame]:
    """The panel left after the exclusions, the screening, rater -> why excluded, and
    the acceptance of every rater (``acceptance.rater_acceptance``)."""
    excluded: dict[str, list[str]] = {}
    panel = everything
    if options.exclude_simulated:
        simulated = sorted(set(panel.loc[panel["simulated"], "rater"]))
        excluded.update({rater: ["simulated"] for rater in simulated})
        panel = panel[~panel["simulated"].to_numpy()]
        if panel.empty:
            raise AnalysisError(f"study {facts.name!r} has only simulated ratings")
    with timed(timings, "screening"):
        screen = stats.screen_raters(panel, min_response_ms=facts.min_response_ms)
    if options.exclude_screened:
        flagged = screen.loc[screen["flagged"], ["rater", "reasons"]]
        excluded.update({r: reasons.split(";") for r, reasons in flagged.itertuples(index=False)})
        panel = stats.exclude_raters(panel, flagged["rater"])
        if panel.empty:
            raise AnalysisError(f"study {facts.name!r}: screening flags every rater")
    acceptance = rater_acceptance(
        roster=facts.full_roster(),
        checks=facts.quality_checks(),
        screen=screen,
        reject_if=facts.reject_if,
    )
    if options.exclude_rejected:
        present = set(panel["rater"])
        rejected = acceptance[
            (acceptance["rejected_for"] != "") & acceptance["rater"].isin(present)
        ]
        excluded.update(
            {r: reasons.split(";") for r, reasons in rejected[["rater", "rejected_for"]].values}
        )
        panel = stats.exclude_raters(panel, rejected["rater"])
        if panel.empty:
            raise AnalysisError(f"study {facts.name!r}: [quality] reject_if rejects every rater")
    return panel, screen, excluded, acceptance


def _wilcoxon(
    panel: pd.DataFrame, datasets: Sequence[str], methods: list[str], options: AnalysisOptions
) -> pd.DataFrame:
    """Every pair of methods per dataset, paired in the paper's method order."""
    ordered = panel.assign(method=pd.Categorical(panel["method"], categories=methods))
    wilcoxon = stats.wilcoxon_pairs(
        ordered,
        zero_method=options.zero_method,
        method=options.wilcoxon_method,
        alpha=options.alpha,
    )
    wilcoxon["method_a"] = wilcoxon["method_a"].astype(str)
    wilcoxon["method_b"] = wilcoxon["method_b"].astype(str)
    return _in_order(wilcoxon, datasets, None)


def _in_order(
    frame: pd.DataFrame,
    datasets: Sequence[str],
    methods: Sequence[str] | None,
    *,
    by_image: bool = False,
) -> pd.DataFrame:
    """Rows in the paper's dataset order, then (by image and) method order; stable."""
    keys = {"_d": frame["dataset"].map({d: i for i, d in enumerate(datasets)})}
    columns = ["_d", "image"] if by_image else ["_d"]
    if methods is not None:
        keys["_m"] = frame["method"].map({m: i for i, m in enumerate(methods)})
        columns.append("_m")
    ordered = frame.assign(**keys).sort_values(columns, kind="stable")
    return ordered.drop(columns=list(keys)).reset_index(drop=True)


def _raters_table(
    ratings: pd.DataFrame,
    screen: pd.DataFrame,
    facts: StudyFacts,
    excluded: Mapping[str, list[str]],
    acceptance: pd.DataFrame,
) -> pd.DataFrame:
    """raters.csv: every rater with ratings, in rater-number order, screened or not,
    with their link id, code and acceptance."""
    roster = facts.raters
    with_ratings = roster[roster["rater"].isin(set(ratings["rater"]))]
    table = with_ratings[["rater", "simulated", "imported"]].merge(
        screen.drop(columns="simulated"), on="rater", how="left"
    )
    table = table.merge(
        facts.full_roster()[["rater", "external_id", "completion_code"]], on="rater", how="left"
    ).merge(acceptance.drop(columns="finished"), on="rater", how="left")
    counts = ratings[ratings["repeat"] == 0].groupby("rater").size()
    table["n"] = table["rater"].map(counts).fillna(0).astype(np.int64)
    table["excluded"] = table["rater"].map(lambda r: ";".join(excluded.get(r, [])))
    table["reasons"] = table["reasons"].fillna("")
    for column in ("bt500_rejected", "straight_liner", "too_fast", "flagged"):
        table[column] = table[column].astype("boolean")
    return table[RATERS_COLUMNS].reset_index(drop=True)
