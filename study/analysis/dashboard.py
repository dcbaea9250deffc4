"""What the dashboard shows of a study's ratings so far: the export's analysis, cached.

The numbers come from :func:`study.analysis.pipeline.analyse_ratings` with the
default options, the very computation behind ``export_results`` without exclusions,
so the dashboard and an export of the same ratings agree to the last digit. The one
table the export does not have, the MOS of each image, is the mean of the same
first presentations the MOS table averages.

The rater table's extra columns (completion code, crowdsourcing id) are read here
too, as is the human wording of the screening's reasons: the export keeps the
tokens (``calibration;low_correlation``), a researcher deciding whom to pay reads
words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict, cast

import pandas as pd
from django.core.cache import cache
from django.http import HttpRequest

from study.analysis.pipeline import analyse_ratings
from study.analysis.selectors import (
    RaterProgressRow,
    rater_progress,
    ratings_frame,
    ratings_version,
    study_facts,
)
from study.protocol.models import Study

# The dashboard's statistics are recomputed after a new rating; an idle entry expires.
LIVE_CACHE_SECONDS = 600
# Poll interval of the study pages' live parts, in seconds (``?poll=N`` overrides it, 1..300).
POLL_SECONDS = 5


def poll_seconds(request: HttpRequest) -> int:
    """How often a study page polls its live JSON: ``?poll=N`` (1..300), else the default."""
    raw = request.GET.get("poll", "")
    if raw.isdigit() and 1 <= int(raw) <= 300:
        return int(raw)
    return POLL_SECONDS


class LiveSummary(TypedDict):
    """See :func:`live_summary`."""

    version: str
    ratings: int
    mos: pd.DataFrame
    wilcoxon: pd.DataFrame
    screening: dict[str, str]
    datasets: list[str]
    methods: list[str]
    labels: dict[str, str]
    retest: pd.DataFrame
    per_image: pd.DataFrame
    # rater -> (accepted, rules of reject_if broken), the export's acceptance.
    acceptance: dict[str, tuple[bool, str]]


PER_IMAGE_COLUMNS = ["dataset", "image", "method", "n", "mos"]


def live_summary(*, study: Study) -> LiveSummary:
    """MOS, Wilcoxon tests and rater screening of the ratings so far, for the dashboard.

    Cached per (study, number of ratings, last rating id), so polling the dashboard
    recomputes only after a new rating. Returns ``mos`` and ``wilcoxon`` (the tidy
    tables of the analysis, in the paper's order), ``retest`` (the retest table),
    ``per_image`` (:func:`per_image_mos`), ``screening`` (rater -> reasons),
    ``acceptance`` (rater -> accepted, the ``reject_if`` rules broken),
    ``datasets``, ``methods``, ``labels``, ``ratings`` and ``version`` (a cache key
    for anything derived from them); the tables are empty without ratings.
    """
    version = ratings_version(study=study)
    key = f"analysis:live:{study.pk}:{version[0]}:{version[1]}"
    found: LiveSummary | None = cache.get(key)
    if found is not None:
        return found
    frame = ratings_frame(study=study)
    summary: LiveSummary = {
        "version": key,
        "ratings": len(frame),
        "mos": pd.DataFrame(),
        "wilcoxon": pd.DataFrame(),
        "screening": {},
        "datasets": [],
        "methods": [],
        "labels": {},
        "retest": pd.DataFrame(),
        "per_image": pd.DataFrame(columns=PER_IMAGE_COLUMNS),
        "acceptance": {},
    }
    if not frame.empty:
        analysis = analyse_ratings(frame, facts=study_facts(study=study))
        summary.update(
            {
                "mos": analysis.mos,
                "wilcoxon": analysis.wilcoxon,
                "screening": analysis.screening,
                "datasets": analysis.datasets,
                "methods": analysis.methods,
                "labels": analysis.labels,
                "retest": analysis.retest,
                "per_image": per_image_mos(
                    analysis.ratings, datasets=analysis.datasets, methods=analysis.methods
                ),
                "acceptance": {
                    str(rater): (bool(accepted), str(rejected_for))
                    for rater, accepted, rejected_for in analysis.acceptance[
                        ["rater", "accepted", "rejected_for"]
                    ].itertuples(index=False)
                },
            }
        )
    cache.set(key, summary, timeout=LIVE_CACHE_SECONDS)
    return summary


def per_image_mos(
    ratings: pd.DataFrame, *, datasets: list[str], methods: list[str]
) -> pd.DataFrame:
    """MOS of each (dataset, image, method) over the first presentations, as ``mos.csv``.

    The retest repeats are left out, as the MOS table leaves them out. Columns
    ``PER_IMAGE_COLUMNS``, in the paper's dataset order, then image, then method order.
    """
    first = ratings[ratings["repeat"].to_numpy() == 0]
    table = (
        first.groupby(["dataset", "image", "method"], sort=False, observed=True)["score"]
        .agg(n="count", mos="mean")
        .reset_index()
    )
    order = table.assign(
        _d=table["dataset"].map({d: i for i, d in enumerate(datasets)}),
        _m=table["method"].map({m: i for i, m in enumerate(methods)}),
    ).sort_values(["_d", "image", "_m"], kind="stable")
    return cast(pd.DataFrame, order[PER_IMAGE_COLUMNS]).reset_index(drop=True)


# The screening's reasons (``stats.screen_raters`` and the acceptance rules) in words:
# a short label for the table and a sentence for the legend.
REASONS: dict[str, tuple[str, str]] = {
    "bt500": (
        "BT.500 outlier",
        "ITU-R BT.500 screening rejects the rater: too many scores outside the panel's "
        "spread, on both sides.",
    ),
    "calibration": (
        "missed the anchors",
        "scored the nearest-neighbour and HR versions away from the calibration anchors (1 and 5).",
    ),
    "straight_lining": (
        "same score throughout",
        "gave one score to almost every image.",
    ),
    "low_correlation": (
        "disagrees with the panel",
        "scores correlate weakly (Pearson below 0.5) with the other raters' MOS.",
    ),
    "inconsistent": (
        "inconsistent",
        "ITU-T P.910 inconsistency more than twice the panel's median.",
    ),
    "too_fast": (
        "too fast",
        "median response time, by the server's clock, below the study's minimum.",
    ),
    "gold": (
        "failed a gold item",
        "rated a known-answer image (nearest neighbour or HR) on the wrong side of the scale.",
    ),
    "attention": (
        "missed an attention check",
        "did not give the score an instruction image asked for.",
    ),
    "simulated": ("simulated", "a simulated rater (rehearsal data, not a person)."),
}


def reason_words(reasons: str) -> str:
    """``"calibration;low_correlation"`` -> ``"missed the anchors, disagrees with the panel"``.

    A token without words (a future rule) is shown with spaces for underscores.
    """
    tokens = [token for token in reasons.split(";") if token]
    return ", ".join(REASONS[t][0] if t in REASONS else t.replace("_", " ") for t in tokens)


def reasons_legend(rows: Iterable[RaterRow]) -> list[tuple[str, str]]:
    """(label, explanation) of each reason the rows name, screening or rejection, in order.

    A token without words (a future rule) is listed as it is shown, unexplained.
    """
    used = {
        token
        for row in rows
        for token in f"{row['reasons']};{row['rejection_reasons']}".split(";")
        if token
    }
    known = [(label, sentence) for token, (label, sentence) in REASONS.items() if token in used]
    unknown = [(token.replace("_", " "), "") for token in sorted(used - set(REASONS))]
    return known + unknown


class RaterRow(RaterProgressRow):
    """A rater of the dashboard's table: progress, crowdsourcing id, code, screening."""

    platform: str
    external_id: str
    completion_code: str
    reasons: str  # the screening's tokens, as raters.csv has them
    reason_words: str
    acceptance: str  # "accepted", "rejected" or "not finished"
    rejection_reasons: str  # the reject_if rules broken, as tokens
    rejection_words: str


def rater_rows(*, study: Study, summary: LiveSummary) -> list[RaterRow]:
    """Per rater (by number): progress, external id and source, code, screening, acceptance.

    Screening and acceptance are the analysis' (:func:`live_summary`, as the export's
    ``raters.csv`` and ``payments.csv``): a rater who finished is accepted unless a rule
    of the study's ``[quality] reject_if`` rejects them; an unfinished one is neither.
    Imported raters' ids are their names and simulated raters have no person behind
    them: neither gets a platform or an external id here.
    """
    extra = {
        number: (source, external_id, code)
        for number, source, external_id, code in study.raters.values_list(
            "number", "external_source", "external_id", "completion_code"
        )
    }
    rows: list[RaterRow] = []
    for progress in rater_progress(study=study):
        source, external_id, code = extra[progress["number"]]
        reasons = summary["screening"].get(progress["rater"], "")
        accepted, why = summary["acceptance"].get(progress["rater"], (False, ""))
        person_less = progress["imported"] or progress["simulated"]
        acceptance = "accepted" if accepted else "rejected" if why else "not finished"
        row = cast(RaterRow, dict(progress))
        row.update(
            {
                "platform": "" if person_less else source,
                "external_id": "" if person_less else external_id,
                "completion_code": code,
                "reasons": reasons,
                "reason_words": reason_words(reasons),
                "screening": reasons,
                "acceptance": acceptance,
                "rejection_reasons": why,
                "rejection_words": reason_words(why),
            }
        )
        rows.append(row)
    return rows
