"""The "acr" study kind of the analysis: what the commands and the dashboard do for ACR studies.

ACR studies (absolute category rating, the paper's MOS test) are the analysis' own:
their ratings pipeline (:mod:`study.analysis.pipeline`), exports
(:mod:`study.analysis.exports`), imported and simulated raters
(:mod:`study.analysis.services`) and the dashboard's study page. The commands
``export_results``, ``import_ratings`` and ``simulate_raters`` and the dashboard's
study views find the study, then call the functions registered here through
:mod:`study.analysis.kinds`; each turns the command's options into the service's
arguments and the service's errors into :class:`~study.analysis.kinds.KindError`.
Loaded by ``AnalysisConfig.ready``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol, SupportsFloat, TextIO, cast

import pandas as pd
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from study.analysis import dashboard, kinds, selectors, services
from study.analysis.dashboard import LiveSummary
from study.analysis.exports import ExportError, export_results, export_zip
from study.analysis.kinds import AnalysisKind, KindError, Options, register
from study.analysis.pipeline import AnalysisOptions
from study.protocol.models import Study

# The columns of the ACR import format (``import_ratings``), besides the optional ones.
ACR_COLUMNS = frozenset(services.REQUIRED)


def _export_results(study: Study, out: str, options: Options) -> str:
    choice = AnalysisOptions(
        exclude_screened=bool(options.get("exclude_screened", False)),
        exclude_simulated=bool(options.get("exclude_simulated", False)),
        alpha=kinds.float_option(options, "alpha", 0.05),
        zero_method=str(options.get("zero_method", "wilcox")),
        ci=str(options.get("ci", "t")),
    )
    try:
        analysis = export_results(
            study=study, out=out, options=choice, overwrite=bool(options.get("overwrite", False))
        )
    except ExportError as exc:
        raise KindError(str(exc)) from None
    used = analysis.ratings["rater"].nunique()
    excluded = ", ".join(analysis.excluded) or "none"
    return (
        f"exported {study.name!r} to {out}: {len(analysis.ratings)} ratings "
        f"of {used} raters; excluded: {excluded}"
    )


def _export_zip(study: Study, options: Options) -> bytes:
    choice = AnalysisOptions(
        exclude_screened=bool(options.get("exclude_screened", False)),
        exclude_simulated=bool(options.get("exclude_simulated", False)),
    )
    try:
        return export_zip(study=study, options=choice)
    except ExportError as exc:
        raise KindError(str(exc)) from None


def _import_ratings(source: TextIO, source_name: str, study: Study | None, options: Options) -> str:
    """``import_ratings``: the study is found again by name, under its row lock."""
    name = study.name if study is not None else str(options["study"])
    try:
        report = services.import_ratings(
            source=source,
            source_name=source_name,
            study_name=name,
            create=bool(options.get("create", False)),
            scale=kinds.int_option(options, "scale", 4),
        )
    except services.ImportRatingsError as exc:
        raise KindError(f"nothing imported:\n{exc}") from None
    what = "created study" if report.created else "study"
    lines = [
        f"{what} {report.study.name!r}: {report.ratings} ratings of "
        f"{len(report.raters)} raters imported"
    ]
    if report.datasets_created:
        lines.append("datasets created without image files: " + ", ".join(report.datasets_created))
    if report.ignored_columns:
        lines.append("ignored columns: " + ", ".join(report.ignored_columns))
    return "\n".join(lines)


def _reads_header(columns: list[str]) -> bool:
    return set(columns) >= ACR_COLUMNS


def _simulate_raters(study: Study, options: Options) -> str:
    try:
        report = services.simulate_raters(
            study=study,
            count=kinds.int_option(options, "count"),
            seed=kinds.int_option(options, "seed"),
            quality=services.parse_qualities(kinds.list_option(options, "quality")),
            bias_sd=kinds.float_option(options, "bias_sd", 0.3),
            noise_sd=kinds.float_option(options, "noise_sd", 0.7),
        )
    except services.SimulationError as exc:
        raise KindError(str(exc)) from None
    return (
        f"{len(report.raters)} simulated raters ({report.raters[0]}-{report.raters[-1]}) "
        f"added to {study.name!r} with {report.ratings} ratings"
    )


# --------------------------------------------------------------------------- dashboard


def _study_page(request: HttpRequest, study: Study) -> HttpResponse:
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
        "poll_seconds": dashboard.poll_seconds(request),
    }
    return render(request, "dashboard/study.html", context)


def _study_live(request: HttpRequest, study: Study) -> HttpResponse:
    """What the study page refreshes: state, per-rater progress and the MOS table."""
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


def _wilcoxon_cell(a: str, b: str, pair: _WilcoxonRow, labels: dict[str, str]) -> dict[str, object]:
    p = _number(pair.p_holm)
    mos_a, mos_b = (pair.mos_a, pair.mos_b) if pair.method_a == a else (pair.mos_b, pair.mos_a)
    sign = ">" if mos_a > mos_b else "<" if mos_a < mos_b else "="
    return {
        "text": _format_p(p),
        "style": f"background:{_heat(p)}",
        "significant": bool(pair.significant),
        "title": (
            f"{labels.get(a, a)} {mos_a:.2f} {sign} {labels.get(b, b)} "
            f"{mos_b:.2f}; {pair.n_pairs} pairs; Holm p = {_format_p(p)}; "
            f"effect size {pair.effect_size:+.2f}"
        ),
    }


def _wilcoxon_matrices(summary: LiveSummary) -> list[dict[str, object]]:
    """Per dataset a method x method matrix of Holm-corrected p, coloured by p.

    A cell (row a, column b) says whether a's MOS differs from b's; its title gives
    the MOS of both, the pairs and the effect size.
    """
    wilcoxon: pd.DataFrame = summary["wilcoxon"]
    if wilcoxon.empty:
        return []
    labels = dict(summary["labels"])
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
                else:
                    cells.append(_wilcoxon_cell(a, b, pair, labels))
            rows.append({"label": labels.get(a, a), "cells": cells})
        matrices.append(
            {"dataset": dataset, "labels": [labels.get(m, m) for m in methods], "rows": rows}
        )
    return matrices


register(
    AnalysisKind(
        name="acr",
        export_results=_export_results,
        export_zip=_export_zip,
        import_ratings=_import_ratings,
        reads_header=_reads_header,
        simulate_raters=_simulate_raters,
        study_page=_study_page,
        study_live=_study_live,
    )
)
