"""The paper's Tables 1 and 2 of an analysis, in LaTeX (booktabs) and Markdown.

Pure rendering of a :class:`~study.analysis.pipeline.Analysis`: values are rounded
here, as shown, and bold / stars are decided on the rounded values and the
analysis' Wilcoxon tests. The method columns, groups and names are the paper's
(:mod:`study.srgan2017`); the captions name the datasets and the upscaling factor the
study has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from study.analysis.pipeline import Analysis
from study.srgan2017 import REFERENCE_METHOD, TABLE1, TABLE1_ONLY, TABLE2

# Rows of a paper-style table: name, column of the MOS table, digits shown.
METRICS = (("PSNR", "psnr", 2), ("SSIM", "ssim_daala", 4), ("MOS", "mos", 2))


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
    require: Set[str] | None = None,
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
                Cell(_format(cast(float, part.at[m, column]), digits, column) if m in shown else "")
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
            if method not in contenders or cast(float, part.at[method, "mos"]) < max(
                cast(float, part.at[m, "mos"]) for m in contenders
            ):
                continue
            rivals = [m for m in contenders if m != method]
        if rivals and all(_favours(analysis.wilcoxon, dataset, method, r) for r in rivals):
            cells[i].star = True


LATEX_SPECIAL = {
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


def latex_escape(text: str) -> str:
    """Text as LaTeX shows it literally (labels and dataset names are plain text)."""
    return "".join(LATEX_SPECIAL.get(ch, ch) for ch in text)


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
            first = latex_escape(block.dataset) if row_index == 0 else ""
            lines.append(" & ".join([first, metric, *map(_latex_cell, cells)]) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    if note:
        lines += ["", "\\smallskip", f"\\parbox{{\\linewidth}}{{\\footnotesize {note}}}"]
    lines.append("\\end{table}")
    return "\n".join(lines) + "\n"


def _significance_note(
    analysis: Analysis, blocks: list[TableBlock], names: Mapping[str, str]
) -> str:
    parts = []
    for block in blocks:
        pairs = ", ".join(f"{names[a]}--{names[b]}" for a, b in block.not_significant)
        parts.append(f"{block.dataset}: {pairs or 'none'}")
    return (
        f"MOS differences not significant (paired two-sided Wilcoxon signed-rank, "
        f"Holm-corrected p $\\geq$ {analysis.options.alpha:g}): " + "; ".join(parts) + "."
    )


# How the provenance note names an arm's outputs, by the catalog's origin.
ORIGIN_WORDS = {"imported": "published outputs", "generated": "generated here"}


def provenance_note(analysis: Analysis, keys: Sequence[str], names: Mapping[str, str]) -> str:
    """Which networks' outputs are the published ones and which this platform generated.

    Per model or external method of the table: ``SRGAN-VGG54: published outputs on Set5
    and Set14; generated here on BSD100`` (``names`` as the table heads them). Empty
    when the catalog's provenance is unknown or the table has no such method.
    """
    table = analysis.facts.provenance
    if table is None or table.empty:
        return ""
    parts = []
    for key in keys:
        rows = table[(table["method"] == key) & table["kind"].isin(["model", "external"])]
        if rows.empty:
            continue
        by_origin: dict[str, list[str]] = {}
        for dataset, origin in rows[["dataset", "origin"]].itertuples(index=False):
            by_origin.setdefault(ORIGIN_WORDS.get(origin, origin), []).append(dataset)
        said = "; ".join(f"{words} on {_listing(sets)}" for words, sets in by_origin.items())
        parts.append(f"{names.get(key, key)}: {said}")
    return "Outputs: " + ". ".join(parts) + "." if parts else ""


def _listing(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``: names as a caption lists them."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _scale_note(analysis: Analysis, datasets: Sequence[str]) -> str:
    """`` (x4)`` when the table's datasets share the scale, else each one's (`` (A x4, B x2)``).

    The scale is the catalog's (``StudyFacts.scales``); a dataset it lacks is not named.
    """
    scales = {d: analysis.facts.scales[d] for d in datasets if d in analysis.facts.scales}
    if not scales:
        return ""
    if len(set(scales.values())) == 1:
        return f" (x{next(iter(scales.values()))})"
    return " (" + ", ".join(f"{latex_escape(d)} x{s}" for d, s in scales.items()) + ")"


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
    datasets = [block.dataset for block in blocks]
    caption = (
        "Performance of different loss functions for SRResNet and the adversarial networks "
        f"on {_listing([latex_escape(d) for d in datasets])} benchmark data"
        f"{_scale_note(analysis, datasets)}. {_raters_note(analysis)}; best per row "
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
        note=latex_escape(
            provenance_note(analysis, keys, {k: f"{g}-{loss}" for k, g, loss in TABLE1})
        ),
    )


def table2_tex(analysis: Analysis) -> str:
    """The paper's Table 2: PSNR, SSIM (daala) and MOS of NN ... SRGAN and HR."""
    keys = _headings_present(analysis, [k for k, _ in TABLE2])
    names = dict(TABLE2)
    blocks = table_blocks(analysis, keys)
    if not blocks:
        return "% table2.tex: the study has none of the methods of the paper's Table 2.\n"
    # Name only the methods the table has (the paper's caption names all nine).
    listed = _listing([names[k] for k in keys if k != REFERENCE_METHOD])
    reference = " against the original HR" if REFERENCE_METHOD in keys else ""
    scale = _scale_note(analysis, [block.dataset for block in blocks])
    caption = (
        f"Comparison of {listed}{reference}{scale}. {_raters_note(analysis)}; best per "
        "row (HR aside) in bold; $^{*}$: best MOS significantly higher than every other "
        "method but HR. SSIM as computed by daala."
    )
    return _latex_table(
        analysis,
        blocks,
        [names[k] for k in keys],
        caption=caption,
        label="tab:comparison",
        note=" ".join(
            part
            for part in (
                _significance_note(analysis, blocks, names),
                latex_escape(provenance_note(analysis, keys, names)),
            )
            if part
        ),
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
    out = [f"# {analysis.facts.name}: Tables 1 and 2", ""]
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
        provenance = provenance_note(analysis, keys1, names1)
        out += ["", provenance] if provenance else []
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
        provenance = provenance_note(analysis, keys2, names2)
        out += ["", provenance] if provenance else []
    else:
        out.append("The study has none of the methods of the paper's Table 2.")
    return "\n".join(out) + "\n"
