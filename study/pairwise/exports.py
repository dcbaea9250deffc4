"""The export of a two-image study ("pairwise", "2afc-real"): its files, all or nothing.

Every export has ``choices.csv`` (the answered trials analysed, one row each, so every
number can be recomputed), the kind's tables (:data:`STATISTICS`: ``pairwise.csv``
and ``scale.csv``, or ``foolrate.csv``), ``tables.md`` / ``tables.tex``, the kind's
figure as PNG and PDF, and ``manifest.json`` (study, kind, design, counts, options,
software, rater batches, what every file is). Folder and zip are written by the
analysis' helpers (:mod:`study.analysis.exports`): a temporary folder renamed into
place when every file is written, so a failed export leaves nothing behind.

Options (``export_results``): ``--exclude-simulated``, ``--alpha`` and ``--overwrite``
are honoured; the ACR-only ``--exclude-screened``, ``--zero-method`` and ``--ci`` are
refused (:func:`options_from`): these studies have no rater screening, Wilcoxon test
or MOS interval, and silently ignoring a request would misreport what was done. The
scale's bootstrap takes 1,000 draws over raters, seeded by the study's seed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import cast

import pandas as pd
from django.utils import timezone
from matplotlib.figure import Figure

from study.analysis.exports import (
    ExportError,
    csv_bytes,
    export_target,
    software_versions,
    write_folder,
    zip_files,
)
from study.analysis.figures import render
from study.analysis.kinds import KindError, Options
from study.analysis.selectors import rater_batches
from study.pairwise import figures, tables
from study.pairwise.results import (
    ResultOptions,
    Results,
    ResultsError,
    preference_tables,
    read_results,
    realism_tables,
)
from study.protocol.models import Study

# Options of ``export_results`` that only ACR studies have, with their defaults.
ACR_ONLY = {
    "exclude_screened": ("--exclude-screened", False),
    "exclude_rejected": ("--exclude-rejected", False),
    "zero_method": ("--zero-method", "wilcox"),
    "ci": ("--ci", "t"),
}


@dataclass(frozen=True)
class KindStatistics:
    """What one two-image kind computes and shows of its choices."""

    tables: Callable[[Results], dict[str, pd.DataFrame]]
    # File name -> what it is (the manifest), for the kind's CSV tables and figure.
    files: dict[str, str]
    markdown: Callable[[Results], str]
    latex: Callable[[Results], str]
    figure: Callable[[Results], Figure]
    figure_name: str
    # (table file, heading) of the tables the dashboard shows, in order.
    shown: tuple[tuple[str, str], ...]


STATISTICS: dict[str, KindStatistics] = {
    "pairwise": KindStatistics(
        tables=preference_tables,
        files={
            "pairwise.csv": "exact two-sided binomial test of every compared pair of methods "
            "per dataset (all raters and images pooled): n, wins_a, wins_b, p, p Holm-corrected "
            "per dataset, significant (p_holm < alpha)",
            "scale.csv": "Thurstone Case V scale by maximum likelihood (weak N(0, 5^2) prior), "
            "in JOD (1 JOD = 75 % preference), the arm's first method at 0; 95 % CI by "
            "bootstrap over raters (1,000 draws, seeded by the study's seed); Bradley-Terry "
            "log-strength beside",
            "scale.png": "the scale with its 95 % CIs per dataset",
            "scale.pdf": "scale.png as vector graphics",
        },
        markdown=tables.scale_md,
        latex=tables.scale_tex,
        figure=figures.scale_figure,
        figure_name="scale",
        shown=(
            ("scale.csv", "Scale (Thurstone Case V, JOD)"),
            ("pairwise.csv", "Pairwise binomial tests"),
        ),
    ),
    "2afc-real": KindStatistics(
        tables=realism_tables,
        files={
            "foolrate.csv": "per dataset and method: trials n, chose_generated (the method's "
            "output taken for the real photograph), rate, 95 % Clopper-Pearson CI, exact "
            "two-sided binomial p against 0.5",
            "foolrate.png": "the fool rate with its 95 % CIs per dataset",
            "foolrate.pdf": "foolrate.png as vector graphics",
        },
        markdown=tables.fool_md,
        latex=tables.fool_tex,
        figure=figures.fool_figure,
        figure_name="foolrate",
        shown=(("foolrate.csv", "Fool rate (taken for the real photograph)"),),
    ),
}

COMMON_FILES = {
    "choices.csv": "the analysed choices, one row per answered trial (left-out raters not "
    "included): rater, simulated, dataset, image, plan position, the methods shown left and "
    "right, the method chosen, response time in ms as the browser measured it (response_ms) "
    "and as the server measured it from serving the trial to the answer (server_ms), "
    "submission time (UTC)",
    "tables.md": "the kind's table per dataset in Markdown",
    "tables.tex": "the same table in LaTeX booktabs",
    "manifest.json": "this file: the study, its kind and design, counts, options, software, "
    "rater batches and what every file is",
}


def options_from(study: Study, options: Options) -> ResultOptions:
    """The command's (or the dashboard's) options for a two-image study; ACR-only refused."""
    for key, (flag, default) in ACR_ONLY.items():
        value = options.get(key)
        if value is not None and value != default:
            raise KindError(
                f"{flag} is for ACR studies; {study.name!r} is a "
                f"{study.config.get('kind')} study (no rater screening, Wilcoxon test or "
                "MOS interval)"
            )
    return ResultOptions(
        exclude_simulated=bool(options.get("exclude_simulated", False)),
        alpha=float(cast("str | float", options.get("alpha", 0.05))),
        seed=int(study.seed),
    )


def analyse(*, study: Study, options: ResultOptions) -> Results:
    """Read the choices and compute the kind's tables (``ExportError`` without choices)."""
    try:
        results = read_results(study=study, options=options)
    except ResultsError as exc:
        raise ExportError(str(exc)) from None
    if results.choices.empty:
        raise ExportError(f"study {study.name!r} has no choices to export")
    results.tables = STATISTICS[results.kind].tables(results)
    return results


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def manifest(results: Results) -> dict[str, object]:
    study = results.study
    choices, raters = results.choices, results.raters
    statistics = STATISTICS[results.kind]
    with_choices = set(results.trials.loc[results.trials["chosen"] != "", "rater"])
    return {
        "study": {
            "name": study.name,
            "title": study.title,
            "state": study.state,
            "seed": study.seed,
            "created_at": _iso(study.created_at),
            "opened_at": _iso(study.opened_at),
            "closed_at": _iso(study.closed_at),
        },
        "kind": results.kind,
        "design": results.design,
        "config": study.config,
        "software": software_versions(),
        "exported_at": timezone.now().isoformat(),
        "options": asdict(results.options),
        "counts": {
            "raters_invited": len(raters),
            "raters_with_choices": len(with_choices),
            "raters_used": int(choices["rater"].nunique()),
            "trials_handed_out": len(results.trials),
            "choices_in_study": int((results.trials["chosen"] != "").sum()),
            "choices_analysed": len(choices),
        },
        "raters": {
            "used": list(pd.unique(choices["rater"])),
            "excluded": [{"rater": r, "reasons": ["simulated"]} for r in results.excluded],
            "simulated": list(raters.loc[raters["simulated"], "rater"]),
            "imported": list(raters.loc[raters["imported"], "rater"]),
            "batches": [
                {**batch, "created_at": _iso(batch["created_at"])}
                for batch in rater_batches(study=study)
            ],
        },
        "datasets": list(results.methods),
        "methods": results.methods,
        "reference": results.reference,
        "labels": results.labels,
        "files": {**COMMON_FILES, **statistics.files},
    }


def export_files(results: Results) -> Iterator[tuple[str, bytes]]:
    """``(file name, content)`` of every file of the export, manifest last."""
    statistics = STATISTICS[results.kind]
    yield "choices.csv", csv_bytes(results.choices)
    for name, table in results.tables.items():
        yield name, csv_bytes(table)
    yield "tables.md", statistics.markdown(results).encode()
    yield "tables.tex", statistics.latex(results).encode()
    figure = statistics.figure(results)
    for fmt in ("png", "pdf"):
        yield f"{statistics.figure_name}.{fmt}", render(figure, fmt=fmt)
    about = manifest(results)
    yield "manifest.json", (json.dumps(about, indent=2, default=str) + "\n").encode()


def export_results(study: Study, out: str, options: Options) -> str:
    """The registry's ``export_results``: check, analyse, write all files; the summary."""
    choice = options_from(study, options)
    try:
        target = export_target(out, overwrite=bool(options.get("overwrite", False)))
        results = analyse(study=study, options=choice)
        write_folder(target, export_files(results))
    except ExportError as exc:
        raise KindError(str(exc)) from None
    used = results.choices["rater"].nunique()
    excluded = ", ".join(results.excluded) or "none"
    return (
        f"exported {study.name!r} to {out}: {len(results.choices)} choices "
        f"of {used} raters; excluded: {excluded}"
    )


def export_zip(study: Study, options: Options) -> bytes:
    """The registry's ``export_zip``: the same files in memory, under ``<study>-export/``."""
    choice = options_from(study, options)
    try:
        results = analyse(study=study, options=choice)
    except ExportError as exc:
        raise KindError(str(exc)) from None
    return zip_files(f"{study.name}-export", export_files(results))
