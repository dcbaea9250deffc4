"""The dashboard's study page of a two-image study, and its live JSON.

The numbers are the export's (:func:`study.pairwise.exports.analyse` with the default
options: nobody left out, alpha 0.05, the seeded bootstrap), so the page and an
export of the same choices agree to the last digit. They are cached per (study,
number of choices, last choice id), so polling recomputes only after a new choice;
the figure is drawn on the page's first view after a choice and cached with them.
The views (``study.analysis.views``) guard (staff only) and call these through the
analysis' kind registry.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TypedDict

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from study.analysis.dashboard import LIVE_CACHE_SECONDS, poll_seconds
from study.analysis.figures import render as render_figure
from study.analysis.selectors import IMPORTED_SOURCE, generation_jobs, rater_label
from study.pairwise import selectors
from study.pairwise.exports import STATISTICS
from study.pairwise.models import Choice, Trial
from study.pairwise.results import ResultOptions, Results, read_results
from study.pairwise.tables import format_p
from study.protocol.models import Study

METHOD_COLUMNS = {"method", "method_a", "method_b"}


def choices_version(*, study: Study) -> tuple[int, int]:
    """(number of choices, highest choice id): changes whenever a choice is made."""
    found = Choice.objects.filter(trial__rater__study=study).aggregate(
        n=Count("id"), last=Max("id")
    )
    return found["n"], found["last"] or 0


def live_results(*, study: Study) -> tuple[str, Results]:
    """The export's statistics of the choices so far (cached) and their cache key."""
    count, last = choices_version(study=study)
    key = f"pairwise:live:{study.pk}:{count}:{last}"
    found: Results | None = cache.get(key)
    if found is None:
        found = read_results(study=study, options=ResultOptions(seed=int(study.seed)))
        if not found.choices.empty:
            found.tables = STATISTICS[found.kind].tables(found)
        cache.set(key, found, timeout=LIVE_CACHE_SECONDS)
    return key, found


class RaterProgress(TypedDict):
    """One rater's row of the progress table (see :func:`rater_progress`)."""

    rater: str
    number: int
    done: int
    total: int
    last_activity: datetime | None
    finished: bool
    simulated: bool
    imported: bool


class ShownTable(TypedDict):
    """One statistics table as the page shows it (see :func:`shown_tables`)."""

    id: str
    heading: str
    columns: list[str]
    rows: list[list[str]]


def rater_progress(*, study: Study) -> list[RaterProgress]:
    """Per rater: ``done`` of ``total`` trials, last activity, flags; by number.

    ``total`` is the plan: the trials written for a full design, the trials the
    design asks of each rater for an active one (drawn as the rater goes).
    """
    counts = {
        row["rater_id"]: row
        for row in Trial.objects.filter(rater__study=study)
        .values("rater_id")
        .annotate(total=Count("id"), done=Count("choice"), last=Max("choice__submitted_at"))
        .order_by()
    }
    planned = selectors.per_rater(study) if selectors.design(study) == "active" else None
    progress: list[RaterProgress] = []
    for rater in study.raters.order_by("number"):
        row = counts.get(rater.pk, {})
        times = [t for t in (row.get("last"), rater.last_seen_at) if t is not None]
        progress.append(
            {
                "rater": rater_label(rater.number, rater.external_source, rater.external_id),
                "number": rater.number,
                "done": row.get("done", 0),
                "total": planned or row.get("total", 0),
                "last_activity": max(times) if times else None,
                "finished": rater.finished_at is not None,
                "simulated": rater.simulated,
                "imported": rater.external_source == IMPORTED_SOURCE,
            }
        )
    return progress


def _cell(column: str, value: object, labels: dict[str, str]) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return "–"
        return format_p(float(value)) if column.startswith("p") else f"{value:.2f}"
    text = str(value)
    return labels.get(text, text) if column in METHOD_COLUMNS else text


def shown_tables(results: Results) -> list[ShownTable]:
    """The kind's tables as the page shows them: id, heading, columns, formatted rows."""
    shown: list[ShownTable] = []
    for name, heading in STATISTICS[results.kind].shown:
        table: pd.DataFrame = results.tables.get(name, pd.DataFrame())
        columns = [str(c) for c in table.columns]
        rows = [
            [_cell(c, v, results.labels) for c, v in zip(columns, row, strict=True)]
            for row in table.itertuples(index=False)
        ]
        shown.append(
            {"id": name.removesuffix(".csv"), "heading": heading, "columns": columns, "rows": rows}
        )
    return shown


def figure_png(key: str, results: Results) -> str | None:
    """The kind's figure as a ``data:`` URL (cached with the statistics), None without choices."""
    if results.choices.empty:
        return None
    url: str | None = cache.get(f"{key}:figure")
    if url is None:
        figure = STATISTICS[results.kind].figure(results)
        png = render_figure(figure, fmt="png", dpi=100)
        url = "data:image/png;base64," + base64.b64encode(png).decode()
        cache.set(f"{key}:figure", url, timeout=LIVE_CACHE_SECONDS)
    return url


def study_page(request: HttpRequest, study: Study) -> HttpResponse:
    key, results = live_results(study=study)
    progress = rater_progress(study=study)
    context = {
        "study": study,
        "kind": results.kind,
        "design": results.design,
        "progress": progress,
        "done": sum(r["done"] for r in progress),
        "total": sum(r["total"] for r in progress),
        "jobs": generation_jobs(study=study),
        "tables": shown_tables(results),
        "figure": figure_png(key, results),
        "has_choices": not results.choices.empty,
        "ratings": len(results.choices),
        "poll_seconds": poll_seconds(request),
    }
    return render(request, "dashboard/pairwise_study.html", context)


def study_live(request: HttpRequest, study: Study) -> HttpResponse:
    """What the page refreshes: state, per-rater progress, the kind's tables.

    Shaped as the ACR page's (``ratings`` counts the choices, ``mos`` is empty), so
    the dashboard's script updates the progress of either kind.
    """
    key, results = live_results(study=study)
    progress = rater_progress(study=study)
    body: dict[str, object] = {
        "state": study.state,
        "ratings": len(results.choices),
        "choices": len(results.choices),
        "done": sum(r["done"] for r in progress),
        "total": sum(r["total"] for r in progress),
        "raters": [
            {
                "number": r["number"],
                "done": r["done"],
                "total": r["total"],
                "finished": r["finished"],
                "last_activity": r["last_activity"].isoformat() if r["last_activity"] else None,
                "screening": "",
            }
            for r in progress
        ],
        "mos": [],
        "tables": shown_tables(results),
    }
    # With ?since=N (the choices the page shows) and a different number now, the tables
    # and the figure come along as HTML, rendered by the page's own template.
    since = request.GET.get("since", "")
    if since.isdigit() and int(since) != len(results.choices):
        context = {"tables": shown_tables(results), "figure": figure_png(key, results)}
        body["panels"] = render_to_string("dashboard/_pairwise_panels.html", context, request)
    return JsonResponse(body)
