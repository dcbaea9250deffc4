"""The researcher's dashboard under /dashboard/: staff only, small views that delegate.

Anonymous visitors are sent to the login page; a signed-in user who is not staff
gets 403 (sending them to a login page they already passed would loop). Every
state change is a POST through Django's CSRF protection.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Concatenate, ParamSpec, Protocol, SupportsFloat, cast

import pandas as pd
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from study.analysis import dashboard, figures, selectors
from study.analysis.dashboard import LiveSummary
from study.analysis.exports import ExportError, export_zip
from study.analysis.pipeline import AnalysisOptions
from study.protocol import services as protocol_services
from study.protocol.models import Study

# Poll interval of the live parts, in seconds (``?poll=N`` overrides it, 1..300).
POLL_SECONDS = 5

P = ParamSpec("P")


def staff_required(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("the dashboard is for staff accounts")
        return view(request, *args, **kwargs)

    # wraps() keeps the view's signature, whose request parameter has a name.
    return cast("Callable[Concatenate[HttpRequest, P], HttpResponse]", guarded)


@never_cache
@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/index.html", {"studies": selectors.studies_overview()})


@never_cache
@staff_required
@require_GET
def study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    summary = dashboard.live_summary(study=study)
    progress = selectors.rater_progress(study=study)
    for row in progress:
        row["screening"] = summary["screening"].get(row["rater"], "")
    context = {
        "study": study,
        "progress": progress,
        "done": sum(r["done"] for r in progress),
        "total": sum(r["total"] for r in progress),
        "jobs": selectors.generation_jobs(study=study),
        "mos": _mos_rows(summary),
        "matrices": _wilcoxon_matrices(summary),
        "has_ratings": summary["ratings"] > 0,
        "ratings": summary["ratings"],
        "poll_seconds": _poll_seconds(request),
    }
    return render(request, "dashboard/study.html", context)


@never_cache
@staff_required
@require_GET
def study_live(request: HttpRequest, pk: int) -> JsonResponse:
    """What the study page refreshes: state, per-rater progress and the MOS table."""
    study = get_object_or_404(Study, pk=pk)
    summary = dashboard.live_summary(study=study)
    progress = selectors.rater_progress(study=study)
    return JsonResponse(
        {
            "state": study.state,
            "ratings": summary["ratings"],
            "done": sum(r["done"] for r in progress),
            "total": sum(r["total"] for r in progress),
            "raters": [
                {
                    "number": r["number"],
                    "done": r["done"],
                    "total": r["total"],
                    "finished": r["finished"],
                    "last_activity": r["last_activity"].isoformat() if r["last_activity"] else None,
                    "screening": summary["screening"].get(r["rater"], ""),
                }
                for r in progress
            ],
            "mos": _mos_rows(summary),
        }
    )


@never_cache
@staff_required
@require_GET
def figure5_png(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    summary = dashboard.live_summary(study=study)
    if not summary["ratings"]:
        raise Http404("no ratings yet")
    key = f"{summary['version']}:figure5.png"
    png = cache.get(key)
    if png is None:
        # Drawing takes about a second; every open dashboard asks after each new rating.
        figure = figures.figure5(
            summary["mos"],
            datasets=figures.panel_order(summary["datasets"]),
            methods=summary["methods"],
            labels=summary["labels"],
        )
        png = figures.render(figure, fmt="png", dpi=100)
        cache.set(key, png, timeout=dashboard.LIVE_CACHE_SECONDS)
    return HttpResponse(png, content_type="image/png")


@never_cache
@staff_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The full export as a zip, built in memory (``?exclude_screened=1`` as the command)."""
    study = get_object_or_404(Study, pk=pk)
    options = AnalysisOptions(
        exclude_screened=request.GET.get("exclude_screened") == "1",
        exclude_simulated=request.GET.get("exclude_simulated") == "1",
    )
    try:
        content = export_zip(study=study, options=options)
    except ExportError as exc:
        messages.error(request, str(exc))
        return redirect("analysis:study", pk=study.pk)
    response = HttpResponse(content, content_type="application/zip")
    filename = f"{_safe_filename(study.name)}-export.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
@require_POST
def study_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_state(request, pk, protocol_services.open_study, "open")


@staff_required
@require_POST
def study_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_state(request, pk, protocol_services.close_study, "closed")


class _StateChange(Protocol):
    def __call__(self, *, study: Study) -> object: ...


def _change_state(request: HttpRequest, pk: int, change: _StateChange, word: str) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    try:
        change(study=study)
    except protocol_services.ProtocolError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"study {study.name!r} is {word}")
    return redirect("analysis:study", pk=study.pk)


# --------------------------------------------------------------------------- helpers


def _poll_seconds(request: HttpRequest) -> int:
    raw = request.GET.get("poll", "")
    if raw.isdigit() and 1 <= int(raw) <= 300:
        return int(raw)
    return POLL_SECONDS


def _safe_filename(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return cleaned.strip("._") or "study"


def _number(value: SupportsFloat) -> float | None:
    """A float for JSON and templates; NaN (e.g. the CI of a single rating) as None."""
    value = float(value)
    return None if math.isnan(value) else value


class _MosRow(Protocol):
    """A row of the MOS table (``stats.mos``), as ``itertuples`` gives it."""

    dataset: str
    method: str
    n: int
    mos: float
    ci95_low: float
    ci95_high: float


class _WilcoxonRow(Protocol):
    """A row of the Wilcoxon table (``stats.wilcoxon_pairs``), as ``itertuples`` gives it."""

    method_a: str
    method_b: str
    n_pairs: int
    mos_a: float
    mos_b: float
    p_holm: float
    significant: bool
    effect_size: float


def _mos_rows(summary: LiveSummary) -> list[dict[str, object]]:
    mos: pd.DataFrame = summary["mos"]
    labels = summary["labels"]
    rows = cast("Iterable[_MosRow]", mos.itertuples(index=False))
    return [
        {
            "dataset": row.dataset,
            "method": row.method,
            "label": labels.get(row.method, row.method),
            "n": int(row.n),
            "mos": _number(row.mos),
            "ci95_low": _number(row.ci95_low),
            "ci95_high": _number(row.ci95_high),
        }
        for row in rows
    ]


def _heat(p: float | None) -> str:
    """Background of a Wilcoxon cell: deeper blue the smaller p; grey when not significant."""
    if p is None or math.isnan(p):
        return "#eeeeee"
    if p >= 0.05:
        return "#f4f1ea"
    strength = min(1.0, -math.log10(max(p, 1e-300)) / 10.0)
    lightness = 88 - 50 * strength
    return f"hsl(212, 70%, {lightness:.0f}%)"


def _format_p(p: float | None) -> str:
    if p is None or math.isnan(p):
        return "–"
    if p < 1e-4:
        return f"{p:.0e}"
    return f"{p:.3f}"


def _wilcoxon_matrices(summary: LiveSummary) -> list[dict[str, object]]:
    """Per dataset a method x method matrix of Holm-corrected p, coloured by p.

    A cell (row a, column b) says whether a's MOS differs from b's; its title gives
    the MOS of both, the pairs and the effect size.
    """
    wilcoxon: pd.DataFrame = summary["wilcoxon"]
    if wilcoxon.empty:
        return []
    labels = summary["labels"]
    matrices: list[dict[str, object]] = []
    for dataset in summary["datasets"]:
        part = wilcoxon[wilcoxon["dataset"] == dataset]
        methods = [
            m for m in summary["methods"] if m in set(part["method_a"]) | set(part["method_b"])
        ]
        found: dict[tuple[str, str], _WilcoxonRow] = {}
        for row in cast("Iterable[_WilcoxonRow]", part.itertuples(index=False)):
            found[(row.method_a, row.method_b)] = row
            found[(row.method_b, row.method_a)] = row
        rows: list[dict[str, object]] = []
        for a in methods:
            cells: list[dict[str, object]] = []
            for b in methods:
                pair = found.get((a, b))
                if a == b or pair is None:
                    cells.append({"text": "", "style": "background:#ffffff", "title": ""})
                    continue
                p = _number(pair.p_holm)
                mos_a, mos_b = (
                    (pair.mos_a, pair.mos_b) if pair.method_a == a else (pair.mos_b, pair.mos_a)
                )
                sign = ">" if mos_a > mos_b else "<" if mos_a < mos_b else "="
                cells.append(
                    {
                        "text": _format_p(p),
                        "style": f"background:{_heat(p)}",
                        "significant": bool(pair.significant),
                        "title": (
                            f"{labels.get(a, a)} {mos_a:.2f} {sign} {labels.get(b, b)} "
                            f"{mos_b:.2f}; {pair.n_pairs} pairs; Holm p = {_format_p(p)}; "
                            f"effect size {pair.effect_size:+.2f}"
                        ),
                    }
                )
            rows.append({"label": labels.get(a, a), "cells": cells})
        matrices.append(
            {"dataset": dataset, "labels": [labels.get(m, m) for m in methods], "rows": rows}
        )
    return matrices
