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

from collections.abc import Iterable
from typing import Protocol, TextIO, cast

import pandas as pd
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from study.analysis import dashboard, kinds, panels, selectors, services
from study.analysis.dashboard import LiveSummary
from study.analysis.exports import ExportError, export_results, export_zip
from study.analysis.kinds import AnalysisKind, KindError, Options, register
from study.analysis.pipeline import AnalysisOptions
from study.protocol import selectors as protocol_selectors
from study.protocol.models import Study
from study.protocol.services import number_ranges

# The columns of the ACR import format (``import_ratings``), besides the optional ones.
ACR_COLUMNS = frozenset(services.REQUIRED)


def _export_results(study: Study, out: str, options: Options) -> str:
    choice = AnalysisOptions(
        exclude_screened=bool(options.get("exclude_screened", False)),
        exclude_simulated=bool(options.get("exclude_simulated", False)),
        exclude_rejected=bool(options.get("exclude_rejected", False)),
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
        exclude_rejected=bool(options.get("exclude_rejected", False)),
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
    # Unopened places are filled first, so the numbers need not be contiguous.
    return (
        f"{len(report.raters)} simulated raters ({number_ranges(report.raters)}) "
        f"added to {study.name!r} with {report.ratings} ratings"
    )


# --------------------------------------------------------------------------- dashboard


def _panels(summary: LiveSummary) -> dict[str, object]:
    """What the analysis panels of the study page show (also re-rendered for the refresh)."""
    return {
        "paper_tables": panels.paper_tables(summary),
        "per_image": panels.per_image_tables(summary),
        "retest": panels.retest_rows(summary),
        "matrices": panels.wilcoxon_matrices(summary),
        "has_ratings": summary["ratings"] > 0,
        "ratings": summary["ratings"],
    }


def _study_page(request: HttpRequest, study: Study) -> HttpResponse:
    summary = dashboard.live_summary(study=study)
    raters = dashboard.rater_rows(study=study, summary=summary)
    context = {
        "study": study,
        "progress": raters,
        "done": sum(r["done"] for r in raters),
        "total": sum(r["total"] for r in raters),
        "unopened": len(protocol_selectors.unopened_raters(study=study)),
        "jobs": selectors.generation_jobs(study=study),
        "legend": dashboard.reasons_legend(raters),
        "poll_seconds": dashboard.poll_seconds(request),
        **_panels(summary),
    }
    return render(request, "dashboard/study.html", context)


def _study_live(request: HttpRequest, study: Study) -> HttpResponse:
    """What the study page refreshes: state, per-rater progress, the MOS table.

    With ``?since=N`` (the number of ratings the page shows) and a different number
    now, ``panels`` carries the analysis panels as HTML, rendered by the page's own
    template, so the tables, the matrix and the figure follow new ratings.
    """
    summary = dashboard.live_summary(study=study)
    raters = dashboard.rater_rows(study=study, summary=summary)
    body: dict[str, object] = {
        "state": study.state,
        "ratings": summary["ratings"],
        "done": sum(r["done"] for r in raters),
        "total": sum(r["total"] for r in raters),
        "raters": [
            {
                "number": r["number"],
                "done": r["done"],
                "total": r["total"],
                "finished": r["finished"],
                "last_activity": r["last_activity"].isoformat() if r["last_activity"] else None,
                "screening": r["reasons"],
                "screening_words": r["reason_words"],
                "external_id": r["external_id"],
                "completion_code": r["completion_code"],
                "acceptance": r["acceptance"]
                + (f": {r['rejection_words']}" if r["rejection_words"] else ""),
            }
            for r in raters
        ],
        "mos": _mos_rows(summary),
    }
    since = request.GET.get("since", "")
    if since.isdigit() and int(since) != summary["ratings"]:
        context = {"study": study, **_panels(summary)}
        body["panels"] = render_to_string("dashboard/_acr_panels.html", context, request)
    return JsonResponse(body)


class _MosRow(Protocol):
    """A row of the MOS table (``stats.mos``), as ``itertuples`` gives it."""

    dataset: str
    method: str
    n: int
    mos: float
    ci95_low: float
    ci95_high: float


def _mos_rows(summary: LiveSummary) -> list[dict[str, object]]:
    """The MOS table as JSON rows (the live answer's ``mos``; scripts read it)."""
    mos: pd.DataFrame = summary["mos"]
    labels = summary["labels"]
    rows = cast("Iterable[_MosRow]", mos.itertuples(index=False))
    return [
        {
            "dataset": row.dataset,
            "method": row.method,
            "label": labels.get(row.method, row.method),
            "n": int(row.n),
            "mos": panels.number(row.mos),
            "ci95_low": panels.number(row.ci95_low),
            "ci95_high": panels.number(row.ci95_high),
        }
        for row in rows
    ]


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
