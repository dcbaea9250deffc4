"""The export of a study: CSV tables, the paper's Tables 1 and 2, Figure 5 and a manifest.

``analyse`` reads the study once (``selectors``) and runs the statistics of
:mod:`study.analysis.stats`; ``write_export`` writes the files of an analysis into a
folder; ``export_results`` does both into a temporary folder next to the target and
moves it into place only when every file is written, so a failed export leaves
nothing behind; ``export_zip`` returns the same files as a zip archive in memory
(the dashboard's download). An export never writes to the database.

Which raters are analysed is explicit: by default every rater with ratings;
``exclude_screened`` drops the raters ``stats.screen_raters`` flags (screened on the
whole panel), ``exclude_simulated`` the simulated ones (before screening). The
manifest and ``raters.csv`` say who was used, who was excluded and why.
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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone

import study as study_package
from study.analysis import figures, stats
from study.analysis.models import RaterBatch
from study.analysis.selectors import (
    RATING_COLUMNS,
    arm_metrics,
    dataset_order,
    method_labels,
    method_order,
    raters_table,
    ratings_frame,
)
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
    "flagged",
    "reasons",
    "imported",
    "excluded",
]
SUBJECT_MODEL_COLUMNS = ["dataset", "image", "method", "quality", "ci95_low", "ci95_high"]

# The paper's Table 1 (loss variants, grouped by generator training) and Table 2.
TABLE1 = [
    ("srresnet-mse", "SRResNet", "MSE"),
    ("srresnet-vgg22", "SRResNet", "VGG22"),
    ("srgan-mse", "SRGAN", "MSE"),
    ("srgan-vgg22", "SRGAN", "VGG22"),
    ("srgan-vgg54", "SRGAN", "VGG54"),
]
TABLE2 = [
    ("nearest", "NN"),
    ("bicubic", "Bicubic"),
    ("srcnn", "SRCNN"),
    ("selfexsr", "SelfExSR"),
    ("drcn", "DRCN"),
    ("espcn", "ESPCN"),
    ("srresnet-mse", "SRResNet"),
    ("srgan-vgg54", "SRGAN"),
    ("hr", "HR"),
]
# A dataset is in Table 1 when it has one of the loss variants Table 2 does not show
# (the paper's BSD100 arm has none of them, so its Table 1 is Set5 and Set14).
TABLE1_ONLY = {"srresnet-vgg22", "srgan-mse", "srgan-vgg22"}
REFERENCE_METHOD = "hr"
METRICS = (("PSNR", "psnr", 2), ("SSIM", "ssim_daala", 4), ("MOS", "mos", 2))

FILES = {
    "ratings.csv": "the analysed ratings, one row per rating (excluded raters left out): "
    "rater, dataset, image, method, score 1-5, repeat (1 = test-retest repeat), plan "
    "position, response time in ms, submission time (UTC)",
    "mos.csv": "mean opinion score per dataset and method over first presentations: "
    "n, mean, sample std, 95 % CI, with the catalog's mean PSNR, SSIM and daala SSIM "
    "(Y channel, border = scale; inf / 1 / 1 for the HR reference)",
    "wilcoxon.csv": "paired two-sided Wilcoxon signed-rank tests between the methods of "
    "each dataset, paired on (rater, image); p Holm-corrected per dataset; "
    "effect_size = matched-pairs rank-biserial correlation of a - b",
    "raters.csv": "every rater with ratings: screening (calibration, ITU-R BT.500, "
    "correlation with the MOS, straight-lining, P.910 bias and inconsistency), "
    "simulated / imported flags, and whether the export excluded them",
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


@dataclass(frozen=True)
class ExportOptions:
    """What the researcher chose: who is excluded, and the test options of ``stats``."""

    exclude_screened: bool = False
    exclude_simulated: bool = False
    alpha: float = 0.05
    zero_method: str = "wilcox"
    wilcoxon_method: str = "auto"
    ci: str = "t"


@dataclass
class Analysis:
    """Everything an export holds, computed once from the study's ratings."""

    study: Study
    options: ExportOptions
    ratings: pd.DataFrame
    raters: pd.DataFrame
    excluded: dict[str, list[str]]
    mos: pd.DataFrame
    wilcoxon: pd.DataFrame
    subject_stimuli: pd.DataFrame
    subject_raters: pd.DataFrame
    retest: pd.DataFrame
    metrics: pd.DataFrame
    datasets: list[str]
    methods: list[str]
    labels: dict[str, str]
    total_ratings: int
    invited_raters: int
    timings: dict[str, float] = field(default_factory=dict)


@contextlib.contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0.0) + time.perf_counter() - start


def analyse(*, study: Study, options: ExportOptions | None = None) -> Analysis:
    """Read the study's ratings and compute every table of the export.

    ``timings`` records seconds per step (``read``, ``screening``, ``mos``,
    ``wilcoxon``, ``p910``, ``retest``) for the benchmark.
    """
    options = options or ExportOptions()
    timings: dict[str, float] = {}
    with _timed(timings, "read"):
        everything = ratings_frame(study=study)
        roster = raters_table(study=study)
        metrics = arm_metrics(study=study)
    if everything.empty:
        raise ExportError(f"study {study.name!r} has no ratings to export")
    excluded: dict[str, list[str]] = {}
    panel = everything
    if options.exclude_simulated:
        simulated = sorted(set(panel.loc[panel["simulated"], "rater"]))
        excluded.update({rater: ["simulated"] for rater in simulated})
        panel = panel[~panel["simulated"].to_numpy()]
        if panel.empty:
            raise ExportError(f"study {study.name!r} has only simulated ratings")
    with _timed(timings, "screening"):
        screen = stats.screen_raters(panel)
    if options.exclude_screened:
        flagged = screen.loc[screen["flagged"], ["rater", "reasons"]]
        excluded.update({r: reasons.split(";") for r, reasons in flagged.itertuples(index=False)})
        panel = stats.exclude_raters(panel, flagged["rater"])
        if panel.empty:
            raise ExportError(f"study {study.name!r}: screening flags every rater")
    raters = _raters_csv_table(everything, screen, roster, excluded)

    datasets = dataset_order(panel["dataset"].unique())
    methods = method_order(panel["method"].unique())
    with _timed(timings, "mos"):
        mos = stats.mos(panel, ci=options.ci)
        mos = _in_order(mos, datasets, methods).merge(
            metrics.drop(columns="images"), on=["dataset", "method"], how="left"
        )
    with _timed(timings, "wilcoxon"):
        ordered = panel.assign(method=pd.Categorical(panel["method"], categories=methods))
        wilcoxon = stats.wilcoxon_pairs(
            ordered,
            zero_method=options.zero_method,
            method=options.wilcoxon_method,
            alpha=options.alpha,
        )
        wilcoxon["method_a"] = wilcoxon["method_a"].astype(str)
        wilcoxon["method_b"] = wilcoxon["method_b"].astype(str)
        wilcoxon = _in_order(wilcoxon, datasets, None)
    with _timed(timings, "p910"):
        subject_stimuli, subject_raters = stats.subject_model(panel)
        subject_stimuli = _in_order(subject_stimuli, datasets, methods, by_image=True)
    with _timed(timings, "retest"):
        retest = stats.retest(
            panel, zero_method=options.zero_method, method=options.wilcoxon_method
        )
    return Analysis(
        study=study,
        options=options,
        ratings=panel.reset_index(drop=True),
        raters=raters,
        excluded=excluded,
        mos=mos,
        wilcoxon=wilcoxon,
        subject_stimuli=subject_stimuli,
        subject_raters=subject_raters,
        retest=retest,
        metrics=metrics,
        datasets=datasets,
        methods=methods,
        labels=method_labels(keys=methods),
        total_ratings=len(everything),
        invited_raters=len(roster),
        timings=timings,
    )


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


def _raters_csv_table(
    ratings: pd.DataFrame,
    screen: pd.DataFrame,
    roster: pd.DataFrame,
    excluded: Mapping[str, list[str]],
) -> pd.DataFrame:
    """raters.csv: every rater with ratings, in rater-number order, screened or not."""
    with_ratings = roster[roster["rater"].isin(set(ratings["rater"]))]
    table = with_ratings[["rater", "simulated", "imported"]].merge(
        screen.drop(columns="simulated"), on="rater", how="left"
    )
    counts = ratings[ratings["repeat"] == 0].groupby("rater").size()
    table["n"] = table["rater"].map(counts).fillna(0).astype(np.int64)
    table["excluded"] = table["rater"].map(lambda r: ";".join(excluded.get(r, [])))
    table["reasons"] = table["reasons"].fillna("")
    for column in ("bt500_rejected", "straight_liner", "flagged"):
        table[column] = table[column].astype("boolean")
    return table[RATERS_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- tables


@dataclass
class Cell:
    text: str
    bold: bool = False
    star: bool = False


@dataclass
class TableBlock:
    """One dataset of a paper-style table: a row per metric, a cell per method."""

    dataset: str
    rows: list[tuple[str, list[Cell]]]
    not_significant: list[tuple[str, str]] = field(default_factory=list)


def _format(value: float, digits: int, metric: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if np.isinf(value):
        return "inf"
    if metric.startswith("ssim") and value == 1.0:
        return "1"
    return f"{value:.{digits}f}"


def _favours(wilcoxon: pd.DataFrame, dataset: str, winner: str, other: str) -> bool:
    """True when ``winner`` is rated significantly higher than ``other`` in ``dataset``."""
    rows = wilcoxon[
        (wilcoxon["dataset"] == dataset)
        & (
            ((wilcoxon["method_a"] == winner) & (wilcoxon["method_b"] == other))
            | ((wilcoxon["method_a"] == other) & (wilcoxon["method_b"] == winner))
        )
    ]
    if rows.empty:
        return False
    row = rows.iloc[0]
    if not bool(row["significant"]):
        return False
    sign = 1.0 if row["method_a"] == winner else -1.0
    return bool(sign * row["effect_size"] > 0)


def table_blocks(
    analysis: Analysis,
    methods: Sequence[str],
    *,
    groups: Mapping[str, str] | None = None,
    require: set[str] | None = None,
) -> list[TableBlock]:
    """The blocks of a paper-style table with a column per method of ``methods``.

    A dataset gets a block when it has any of ``methods`` (with ``require``: any of
    ``require``); a method it lacks leaves its cells empty.

    Bold: the best value of each row among the methods other than HR, compared as
    shown (rounded), every tie bold, when at least two values compete.
    Star on a MOS: with ``groups`` (method -> group, Table 1), the method's MOS is
    significantly higher than every other method of its group; without (Table 2), the
    best MOS is significantly higher than every other method but HR. Significance is
    the export's Wilcoxon ``significant`` (Holm-corrected p < alpha).
    """
    blocks = []
    for dataset in analysis.datasets:
        part = analysis.mos[analysis.mos["dataset"] == dataset].set_index("method")
        shown = [m for m in methods if m in part.index]
        if not shown or (require is not None and not require & set(shown)):
            continue
        rows = []
        for name, column, digits in METRICS:
            # A cell per column of the table: a method this dataset lacks stays empty.
            cells = [
                Cell(_format(part.at[m, column], digits, column) if m in shown else "")
                for m in methods
            ]
            candidates = [
                (float(cell.text), i)
                for i, (m, cell) in enumerate(zip(methods, cells, strict=True))
                if m != REFERENCE_METHOD and cell.text not in ("", "inf")
            ]
            if len(candidates) >= 2:
                best = max(v for v, _ in candidates)
                for v, i in candidates:
                    cells[i].bold = v == best
            if column == "mos":
                _mark_significance(analysis, dataset, methods, shown, part, cells, groups)
            rows.append((name, cells))
        not_significant = [
            (a, b)
            for a, b, significant in analysis.wilcoxon.loc[
                analysis.wilcoxon["dataset"] == dataset, ["method_a", "method_b", "significant"]
            ].itertuples(index=False)
            if a in shown and b in shown and not significant
        ]
        blocks.append(TableBlock(dataset, rows, not_significant))
    return blocks


def _mark_significance(
    analysis: Analysis,
    dataset: str,
    columns: Sequence[str],
    shown: Sequence[str],
    part: pd.DataFrame,
    cells: list[Cell],
    groups: Mapping[str, str] | None,
) -> None:
    for i, method in enumerate(columns):
        if method not in shown:
            continue
        if groups is not None:
            rivals = [m for m in shown if m != method and groups.get(m) == groups.get(method)]
        else:
            contenders = [m for m in shown if m != REFERENCE_METHOD]
            if method not in contenders or part.at[method, "mos"] < max(
                part.at[m, "mos"] for m in contenders
            ):
                continue
            rivals = [m for m in contenders if m != method]
        if rivals and all(_favours(analysis.wilcoxon, dataset, method, r) for r in rivals):
            cells[i].star = True


def _latex_escape(text: str) -> str:
    replace = {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
    return "".join(replace.get(ch, ch) for ch in text)


def _latex_cell(cell: Cell) -> str:
    if cell.text == "":
        return "--"
    text = r"$\infty$" if cell.text == "inf" else cell.text
    if cell.bold:
        text = rf"\textbf{{{text}}}"
    if cell.star:
        text += r"$^{*}$"
    return text


def _md_cell(cell: Cell) -> str:
    if cell.text == "":
        return "–"
    text = "∞" if cell.text == "inf" else cell.text
    if cell.bold:
        text = f"**{text}**"
    if cell.star:
        text += "\\*"
    return text


def _raters_note(analysis: Analysis) -> str:
    used = analysis.ratings["rater"].nunique()
    note = f"MOS from {used} raters"
    if analysis.excluded:
        note += f" ({len(analysis.excluded)} excluded, see manifest.json)"
    return note


def _latex_table(
    analysis: Analysis,
    blocks: list[TableBlock],
    headings: list[str],
    *,
    caption: str,
    label: str,
    group_row: str = "",
    note: str = "",
) -> str:
    columns = "ll" + "c" * len(headings)
    lines = [
        "% Requires \\usepackage{booktabs}. Written by export_results.",
        "\\begin{table}[t]",
        "\\centering",
        f"\\caption{{{caption}}}",
        f"\\label{{{label}}}",
        f"\\begin{{tabular}}{{{columns}}}",
        "\\toprule",
    ]
    if group_row:
        lines.append(group_row)
    lines.append(" & ".join(["Set", "Metric", *headings]) + " \\\\")
    for block in blocks:
        lines.append("\\midrule")
        for row_index, (metric, cells) in enumerate(block.rows):
            first = _latex_escape(block.dataset) if row_index == 0 else ""
            lines.append(" & ".join([first, metric, *map(_latex_cell, cells)]) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    if note:
        lines += ["", "\\smallskip", f"\\parbox{{\\linewidth}}{{\\footnotesize {note}}}"]
    lines.append("\\end{table}")
    return "\n".join(lines) + "\n"


def _significance_note(analysis: Analysis, blocks: list[TableBlock], names: Mapping[str, str]):
    parts = []
    for block in blocks:
        pairs = ", ".join(f"{names[a]}--{names[b]}" for a, b in block.not_significant)
        parts.append(f"{block.dataset}: {pairs or 'none'}")
    return (
        f"MOS differences not significant (paired two-sided Wilcoxon signed-rank, "
        f"Holm-corrected p $\\geq$ {analysis.options.alpha:g}): " + "; ".join(parts) + "."
    )


def _headings_present(analysis: Analysis, keys: Sequence[str]) -> list[str]:
    present = set(analysis.mos["method"])
    return [k for k in keys if k in present]


def table1_tex(analysis: Analysis) -> str:
    """The paper's Table 1: PSNR, SSIM (daala) and MOS of the SRResNet/SRGAN variants."""
    keys = _headings_present(analysis, [k for k, _, _ in TABLE1])
    groups = {k: g for k, g, _ in TABLE1}
    losses = {k: loss for k, _, loss in TABLE1}
    blocks = table_blocks(analysis, keys, groups=groups, require=TABLE1_ONLY)
    if not blocks:
        return "% table1.tex: the study has none of the methods of the paper's Table 1.\n"
    # Group header: "SRResNet-" over its losses, "SRGAN-" over its, as in the paper.
    spans: list[tuple[str, int]] = []
    for key in keys:
        if spans and spans[-1][0] == groups[key]:
            spans[-1] = (groups[key], spans[-1][1] + 1)
        else:
            spans.append((groups[key], 1))
    cells, rules, column = ["", ""], [], 3
    for group, width in spans:
        cells.append(f"\\multicolumn{{{width}}}{{c}}{{{group}-}}")
        rules.append(f"\\cmidrule(lr){{{column}-{column + width - 1}}}")
        column += width
    group_row = " & ".join(cells) + " \\\\\n" + "".join(rules)
    caption = (
        "Performance of different loss functions for SRResNet and the adversarial networks "
        f"on Set5 and Set14 benchmark data (x4). {_raters_note(analysis)}; best per row "
        "in bold; $^{*}$: MOS significantly higher than the other losses in its group "
        f"(paired two-sided Wilcoxon signed-rank, Holm-corrected p < "
        f"{analysis.options.alpha:g}). SSIM as computed by daala."
    )
    return _latex_table(
        analysis,
        blocks,
        [losses[k] for k in keys],
        caption=caption,
        label="tab:losses",
        group_row=group_row,
    )


def table2_tex(analysis: Analysis) -> str:
    """The paper's Table 2: PSNR, SSIM (daala) and MOS of NN ... SRGAN and HR."""
    keys = _headings_present(analysis, [k for k, _ in TABLE2])
    names = dict(TABLE2)
    blocks = table_blocks(analysis, keys)
    if not blocks:
        return "% table2.tex: the study has none of the methods of the paper's Table 2.\n"
    # Name only the methods the table has (the paper's caption names all nine).
    shown = [names[k] for k in keys if k != "hr"]
    listed = ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else "".join(shown)
    reference = " against the original HR" if "hr" in keys else ""
    caption = (
        f"Comparison of {listed}{reference} (x4). {_raters_note(analysis)}; best per "
        "row (HR aside) in bold; $^{*}$: best MOS significantly higher than every other "
        "method but HR. SSIM as computed by daala."
    )
    return _latex_table(
        analysis,
        blocks,
        [names[k] for k in keys],
        caption=caption,
        label="tab:comparison",
        note=_significance_note(analysis, blocks, names),
    )


def _md_table(blocks: list[TableBlock], headings: list[str]) -> list[str]:
    lines = [
        "| Set | Metric | " + " | ".join(headings) + " |",
        "|---|---|" + "---:|" * len(headings),
    ]
    for block in blocks:
        for row_index, (metric, cells) in enumerate(block.rows):
            first = block.dataset if row_index == 0 else ""
            lines.append(f"| {first} | {metric} | " + " | ".join(map(_md_cell, cells)) + " |")
    return lines


def tables_md(analysis: Analysis) -> str:
    """Tables 1 and 2 in Markdown, with the same bold and stars as the LaTeX files."""
    out = [f"# {analysis.study.name}: Tables 1 and 2", ""]
    out.append(
        f"{_raters_note(analysis)}. SSIM is daala's (the paper's). Bold: best per row "
        "(HR aside). \\*: MOS significantly higher (paired two-sided Wilcoxon signed-rank, "
        f"Holm-corrected p < {analysis.options.alpha:g}) than the other losses of its group "
        "(Table 1) or than every other method but HR (Table 2)."
    )
    keys1 = _headings_present(analysis, [k for k, _, _ in TABLE1])
    blocks1 = table_blocks(
        analysis, keys1, groups={k: g for k, g, _ in TABLE1}, require=TABLE1_ONLY
    )
    out += ["", "## Table 1: loss functions", ""]
    if blocks1:
        names1 = {k: f"{g}-{loss}" for k, g, loss in TABLE1}
        out += _md_table(blocks1, [names1[k] for k in keys1])
    else:
        out.append("The study has none of the methods of the paper's Table 1.")
    keys2 = _headings_present(analysis, [k for k, _ in TABLE2])
    names2 = dict(TABLE2)
    blocks2 = table_blocks(analysis, keys2)
    out += ["", "## Table 2: comparison with other methods", ""]
    if blocks2:
        out += _md_table(blocks2, [names2[k] for k in keys2])
        out.append("")
        note = _significance_note(analysis, blocks2, names2)
        out.append(note.replace("$\\geq$", "≥").replace("--", "–"))
    else:
        out.append("The study has none of the methods of the paper's Table 2.")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- files


def figure5_bytes(analysis: Analysis, *, formats: Sequence[str] = ("png",)) -> list[bytes]:
    """Figure 5 of the analysis encoded in each of ``formats`` (BSD100 first, as in the paper)."""
    panels = sorted(analysis.datasets, key=lambda d: d != "BSD100")
    figure = figures.figure5(
        analysis.mos, datasets=panels, methods=analysis.methods, labels=analysis.labels
    )
    return [figures.render(figure, fmt=fmt) for fmt in formats]


def _software() -> dict[str, str]:
    versions = {"srgan-mos": study_package.__version__, "python": platform.python_version()}
    for name in ("Django", "numpy", "pandas", "scipy", "matplotlib"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def manifest(analysis: Analysis) -> dict[str, Any]:
    """What the export is: study, config, software, options, raters used and excluded."""
    study = analysis.study
    table = analysis.raters
    used = sorted(set(analysis.ratings["rater"]), key=list(table["rater"]).index)
    flagged = table[table["flagged"].fillna(False).astype(bool)]
    batches = [
        {
            "kind": batch.kind,
            "raters": f"{batch.first_number}-{batch.last_number}",
            "created_at": _iso(batch.created_at),
            "parameters": batch.parameters,
        }
        for batch in RaterBatch.objects.filter(study=study).order_by("first_number")
    ]
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
        "software": _software(),
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
            "simulated": list(table.loc[table["simulated"], "rater"]),
            "imported": list(table.loc[table["imported"], "rater"]),
            "batches": batches,
        },
        "ratings": {"analysed": len(analysis.ratings), "in_study": analysis.total_ratings},
        "datasets": analysis.datasets,
        "methods": {m: analysis.labels[m] for m in analysis.methods},
        "files": FILES,
    }


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode()


def export_files(analysis: Analysis) -> Iterator[tuple[str, bytes]]:
    """``(file name, content)`` of every file of the export, manifest last."""
    ratings = analysis.ratings[RATINGS_COLUMNS].copy()
    ratings["submitted_at"] = ratings["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    yield "ratings.csv", _csv(ratings)
    yield "mos.csv", _csv(analysis.mos[MOS_COLUMNS])
    yield "wilcoxon.csv", _csv(analysis.wilcoxon)
    yield "raters.csv", _csv(analysis.raters)
    yield "subject_model.csv", _csv(analysis.subject_stimuli[SUBJECT_MODEL_COLUMNS])
    yield "retest.csv", _csv(analysis.retest)
    yield "table1.tex", table1_tex(analysis).encode()
    yield "table2.tex", table2_tex(analysis).encode()
    yield "tables.md", tables_md(analysis).encode()
    with _timed(analysis.timings, "figure"):
        png, pdf = figure5_bytes(analysis, formats=("png", "pdf"))
    yield "figure5.png", png
    yield "figure5.pdf", pdf
    yield "manifest.json", (json.dumps(manifest(analysis), indent=2, default=str) + "\n").encode()


def write_export(analysis: Analysis, folder: Path) -> list[str]:
    """Write every file of the export into ``folder`` (which must exist); names written."""
    names = []
    for name, content in export_files(analysis):
        (folder / name).write_bytes(content)
        names.append(name)
    return names


def export_results(
    *,
    study: Study,
    out: str | Path,
    options: ExportOptions | None = None,
    overwrite: bool = False,
    on_step: Callable[[str], Any] | None = None,
) -> Analysis:
    """Analyse ``study`` and write the export to the folder ``out``, all or nothing.

    The files are written into a temporary folder beside ``out`` and renamed into
    place at the end. An existing empty ``out`` is replaced; a non-empty one only with
    ``overwrite`` (the old folder is removed after the new one is in place).
    """
    target = Path(out)
    if not target.parent.is_dir():
        raise ExportError(f"{target.parent}: no such folder")
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise ExportError(f"{target}: folder is not empty (use --overwrite to replace it)")
    analysis = analyse(study=study, options=options)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        with _timed(analysis.timings, "write"):
            for name, content in export_files(analysis):
                (staging / name).write_bytes(content)
                if on_step:
                    on_step(name)
        os.chmod(staging, 0o755)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return analysis


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


def export_zip(*, study: Study, options: ExportOptions | None = None) -> bytes:
    """The export as a zip archive in memory, files under ``<study>-export/``."""
    analysis = analyse(study=study, options=options)
    buffer = io.BytesIO()
    folder = f"{study.name}-export"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in export_files(analysis):
            archive.writestr(f"{folder}/{name}", content)
    return buffer.getvalue()
