"""What the dashboard shows of a study's ratings so far: the export's analysis, cached.

The numbers come from :func:`study.analysis.pipeline.analyse_ratings` with the
default options, the very computation behind ``export_results`` without exclusions,
so the dashboard and an export of the same ratings agree to the last digit.
"""

from __future__ import annotations

from typing import TypedDict

import pandas as pd
from django.core.cache import cache
from django.http import HttpRequest

from study.analysis.pipeline import analyse_ratings
from study.analysis.selectors import ratings_frame, ratings_version, study_facts
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


def live_summary(*, study: Study) -> LiveSummary:
    """MOS, Wilcoxon tests and rater screening of the ratings so far, for the dashboard.

    Cached per (study, number of ratings, last rating id), so polling the dashboard
    recomputes only after a new rating. Returns ``mos`` and ``wilcoxon`` (the tidy
    tables of the analysis, in the paper's order), ``screening`` (rater -> reasons),
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
            }
        )
    cache.set(key, summary, timeout=LIVE_CACHE_SECONDS)
    return summary
