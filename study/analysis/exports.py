"""The export of a study: the files of its analysis, written all or nothing.

``analyse`` reads the study (:mod:`study.analysis.selectors`) and computes every table
(:func:`study.analysis.pipeline.analyse_ratings`, the dashboard's pipeline too);
``export_files`` renders them: CSV tables here, the paper's Tables 1 and 2 in
:mod:`study.analysis.tables`, Figure 5 in :mod:`study.analysis.figures`, and a
manifest. ``write_export`` writes them into a folder; ``export_results`` analyses and
writes into a temporary folder next to the target and moves it into place only when
every file is written, so a failed export leaves nothing behind; ``export_zip``
returns the same files as a zip archive in memory (the dashboard's download). An
export never writes to the database.

The manifest and ``raters.csv`` say who was used, who was excluded and why.
``ratings.csv`` holds the ratings that were analysed, so every figure of the export
can be recomputed from it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
from django.utils import timezone

import study as study_package
from study.analysis.figures import figure5_bytes
from study.analysis.pipeline import (
    Analysis,
    AnalysisError,
    AnalysisOptions,
    analyse_ratings,
    timed,
)
from study.analysis.selectors import (
    RATING_COLUMNS,
    RaterBatchRow,
    rater_batches,
    ratings_frame,
    study_facts,
)
from study.analysis.tables import table1_tex, table2_tex, tables_md
from study.protocol.models import Study

# ratings.csv: the analysed ratings (who is simulated is in raters.csv and the manifest).
RATINGS_COLUMNS = [column for column in RATING_COLUMNS if column != "simulated"]
MOS_COLUMNS = [
    "dataset",
    "method",
    "n",
    "mos",
    "std",
    "ci95_low",
    "ci95_high",
    "psnr",
    "ssim",
    "ssim_daala",
]
SUBJECT_MODEL_COLUMNS = ["dataset", "image", "method", "quality", "ci95_low", "ci95_high"]

FILES = {
    "ratings.csv": "the analysed ratings, one row per rating (excluded raters left out): "
    "rater, dataset, image, method, score 1-5, repeat (1 = test-retest repeat), plan "
    "position, response time in ms as the browser measured it (response_ms) and as the "
    "server measured it from serving the item to the rating (server_ms), submission time "
    "(UTC); the answers to [quality] gold and attention items judge raters, not methods, "
    "and are in raters.csv (gold_ok, attention_ok), not here",
    "mos.csv": "mean opinion score per dataset and method over first presentations: "
    "n, mean, sample std, 95 % CI, with the catalog's mean PSNR, SSIM and daala SSIM "
    "(Y channel, border = scale; inf / 1 / 1 for the HR reference)",
    "wilcoxon.csv": "paired two-sided Wilcoxon signed-rank tests between the methods of "
    "each dataset, paired on (rater, image); p Holm-corrected per dataset; "
    "effect_size = matched-pairs rank-biserial correlation of a - b",
    "raters.csv": "every rater with ratings: screening (calibration, ITU-R BT.500, "
    "correlation with the MOS, straight-lining, P.910 bias and inconsistency, median "
    "server-timed response below the study's [session] min_response_ms: too_fast), "
    "simulated / imported flags, whether the export excluded them, the link's external id "
    "and the code shown, gold and attention results (empty: no such item answered), and "
    "acceptance: rejected_for lists the [quality] reject_if rules the rater broke",
    "payments.csv": "every person who opened their link: platform (prolific, mturk, pid, "
    "none) and external id of the link, the code shown (the completion code, or the "
    "screen-out code of a rater rejected when they finished), started (consent) and "
    "finished (last item, UTC), minutes between them, items rated (check items included), "
    "accepted (finished and no reject_if rule broken) and the reasons if not",
    "subject_model.csv": "ITU-T P.910 Annex E subject model: estimated quality of each "
    "stimulus with its 95 % CI (maximum likelihood, as Netflix sureal)",
    "retest.csv": "test-retest agreement per dataset and method of the repeated stimuli: "
    "share identical, mean absolute difference, Spearman rho, Wilcoxon of second - first",
    "table1.tex": "the paper's Table 1 (SRResNet / SRGAN loss variants) in LaTeX booktabs",
    "table2.tex": "the paper's Table 2 (all methods) in LaTeX booktabs",
    "tables.md": "Tables 1 and 2 in Markdown",
    "figure5.png": "the paper's Figure 5: per dataset and method the distribution of "
    "scores (colour = share) and the MOS (red marker)",
    "figure5.pdf": "figure5.png as vector graphics",
    "manifest.json": "this file: the study, its configuration, the software, the options, "
    "which raters were used or excluded and why, and what every file is",
}


class ExportError(ValueError):
    """The study cannot be exported (no ratings, a bad target folder); nothing was written."""


def analyse(*, study: Study, options: AnalysisOptions | None = None) -> Analysis:
    """Read the study's ratings and compute every table of the export.

    ``timings`` records seconds per step (``read``, then those of ``analyse_ratings``)
    for the benchmark.
    """
    timings: dict[str, float] = {}
    with timed(timings, "read"):
        ratings = ratings_frame(study=study)
        facts = study_facts(study=study)
    if ratings.empty:
        raise ExportError(f"study {study.name!r} has no ratings to export")
    try:
        analysis = analyse_ratings(ratings, facts=facts, options=options)
    except AnalysisError as exc:
        raise ExportError(str(exc)) from None
    analysis.timings = timings | analysis.timings
    return analysis


def software_versions() -> dict[str, str]:
    """The versions an export was made with (every kind's manifest)."""
    versions = {"srgan-mos": study_package.__version__, "python": platform.python_version()}
    for name in ("Django", "numpy", "pandas", "scipy", "matplotlib"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _provenance_records(analysis: Analysis) -> list[dict[str, object]]:
    table = analysis.facts.provenance
    if table is None:
        return []
    return [
        {
            "dataset": str(dataset),
            "method": str(method),
            "kind": str(kind),
            "origin": str(origin),
            "images": int(images),
            "sources": [s for s in str(sources).split(";") if s],
            "weights": [w for w in str(weights).split(";") if w],
        }
        for dataset, method, kind, origin, images, sources, weights in table.itertuples(index=False)
    ]


def manifest(
    analysis: Analysis, *, study: Study, batches: list[RaterBatchRow]
) -> dict[str, object]:
    """What the export is: study, config, software, options, raters used and excluded.

    ``batches`` are the study's rater batches (``selectors.rater_batches``).
    """
    table = analysis.raters
    used = sorted(set(analysis.ratings["rater"]), key=list(table["rater"]).index)
    flagged = table[table["flagged"].fillna(False).astype(bool)]
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
        "config": study.config,
        # Which outputs are published files (imported) and which were generated here.
        "outputs": _provenance_records(analysis),
        "software": software_versions(),
        "exported_at": timezone.now().isoformat(),
        "options": asdict(analysis.options),
        "raters": {
            "invited": analysis.invited_raters,
            "with_ratings": len(table),
            "used": used,
            "excluded": [
                {"rater": rater, "reasons": reasons} for rater, reasons in analysis.excluded.items()
            ],
            "flagged": [
                {"rater": r, "reasons": reasons.split(";"), "excluded": r in analysis.excluded}
                for r, reasons in flagged[["rater", "reasons"]].itertuples(index=False)
            ],
            "rejected": [
                {"rater": rater, "reasons": reasons.split(";")}
                for rater, reasons in analysis.acceptance[["rater", "rejected_for"]].values
                if reasons
            ],
            "reject_if": list(analysis.facts.reject_if),
            "simulated": list(table.loc[table["simulated"], "rater"]),
            "imported": list(table.loc[table["imported"], "rater"]),
            "batches": [{**batch, "created_at": _iso(batch["created_at"])} for batch in batches],
        },
        "ratings": {"analysed": len(analysis.ratings), "in_study": analysis.total_ratings},
        "datasets": analysis.datasets,
        "methods": {m: analysis.labels[m] for m in analysis.methods},
        "files": FILES,
    }


# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``.

    Numbers (``-0.66``, ``+3``) stay as they are: only text that does not parse as a
    number is escaped, so ``=1+1`` is written ``'=1+1`` and shown as typed.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as the exports write it: no index, "\\n" line ends, no formula cells."""
    text = frame.select_dtypes(include=["object", "string"]).columns
    if len(text):
        frame = frame.copy()
        for column in text:
            frame[column] = frame[column].map(formula_safe)
    return frame.to_csv(index=False, lineterminator="\n").encode()


def export_files(analysis: Analysis, *, study: Study) -> Iterator[tuple[str, bytes]]:
    """``(file name, content)`` of every file of the export of ``study``, manifest last."""
    ratings = analysis.ratings[RATINGS_COLUMNS].copy()
    ratings["submitted_at"] = ratings["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    yield "ratings.csv", csv_bytes(ratings)
    yield "mos.csv", csv_bytes(analysis.mos[MOS_COLUMNS])
    yield "wilcoxon.csv", csv_bytes(analysis.wilcoxon)
    yield "raters.csv", csv_bytes(analysis.raters)
    yield "payments.csv", csv_bytes(analysis.payments)
    yield "subject_model.csv", csv_bytes(analysis.subject_stimuli[SUBJECT_MODEL_COLUMNS])
    yield "retest.csv", csv_bytes(analysis.retest)
    yield "table1.tex", table1_tex(analysis).encode()
    yield "table2.tex", table2_tex(analysis).encode()
    yield "tables.md", tables_md(analysis).encode()
    with timed(analysis.timings, "figure"):
        png, pdf = figure5_bytes(analysis, formats=("png", "pdf"))
    yield "figure5.png", png
    yield "figure5.pdf", pdf
    about = manifest(analysis, study=study, batches=rater_batches(study=study))
    yield "manifest.json", (json.dumps(about, indent=2, default=str) + "\n").encode()


def write_export(analysis: Analysis, folder: Path, *, study: Study) -> list[str]:
    """Write every file of the export into ``folder`` (which must exist); names written."""
    names = []
    for name, content in export_files(analysis, study=study):
        (folder / name).write_bytes(content)
        names.append(name)
    return names


def export_results(
    *,
    study: Study,
    out: str | Path,
    options: AnalysisOptions | None = None,
    overwrite: bool = False,
    on_step: Callable[[str], object] | None = None,
) -> Analysis:
    """Analyse ``study`` and write the export to the folder ``out``, all or nothing.

    The files are written into a temporary folder beside ``out`` and renamed into
    place at the end. An existing empty ``out`` is replaced; a non-empty one only with
    ``overwrite`` (the old folder is removed after the new one is in place).
    """
    target = export_target(out, overwrite=overwrite)
    analysis = analyse(study=study, options=options)
    with timed(analysis.timings, "write"):
        write_folder(target, export_files(analysis, study=study), on_step=on_step)
    return analysis


def export_target(out: str | Path, *, overwrite: bool) -> Path:
    """The folder an export may be written to (``ExportError`` says why not).

    Its parent must exist; the folder itself may be missing or empty, and may hold
    files only with ``overwrite``. Every kind's export checks this before analysing.
    """
    target = Path(out)
    if not target.parent.is_dir():
        raise ExportError(f"{target.parent}: no such folder")
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise ExportError(f"{target}: folder is not empty (use --overwrite to replace it)")
    return target


def write_folder(
    target: Path,
    files: Iterable[tuple[str, bytes]],
    *,
    on_step: Callable[[str], object] | None = None,
) -> None:
    """Write ``(name, content)`` files into ``target``, all or nothing.

    They go into a temporary folder beside ``target``, renamed into place once every
    file is written (an old ``target`` is removed after), so a failure at any file,
    or while the files are still being computed, leaves ``target`` as it was.
    """
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        for name, content in files:
            (staging / name).write_bytes(content)
            if on_step:
                on_step(name)
        os.chmod(staging, 0o755)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def export_zip(*, study: Study, options: AnalysisOptions | None = None) -> bytes:
    """The export as a zip archive in memory, files under ``<study>-export/``."""
    analysis = analyse(study=study, options=options)
    return zip_files(f"{study.name}-export", export_files(analysis, study=study))


def safe_name(name: str) -> str:
    """A file or folder name from a study name: letters, digits, ``.``, ``_``, ``-`` only.

    New study names are slugs already; studies made before that rule (or imported)
    may hold ``/`` or ``..``, which must never reach a zip entry or a download name.
    """
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name)
    return cleaned.strip("._") or "study"


def zip_files(folder: str, files: Iterable[tuple[str, bytes]]) -> bytes:
    """``(name, content)`` files as a zip archive in memory, under ``folder/`` (made safe)."""
    folder = safe_name(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(f"{folder}/{name}", content)
    return buffer.getvalue()
