"""The tables of a two-image study's export, in Markdown and LaTeX (booktabs).

Pure rendering of :class:`~study.pairwise.results.Results` whose kind's tables are
computed: the scale (kind "pairwise": JOD with its bootstrap CI, Bradley-Terry score,
choices per method, and which pairs the binomial tests separate) or the fool rate
(kind "2afc-real"). Values are rounded here, as shown; the CSV files keep every digit.
One block per dataset, in the study's arm order, methods in the arm's order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, cast

import numpy as np
import pandas as pd

from study.analysis.tables import latex_escape
from study.pairwise.results import Results

Row = list[str]


class _ScaleRecord(Protocol):
    """A row of ``scale.csv`` as ``itertuples`` yields it (the columns read here)."""

    method: str
    jod: float
    ci95_low: float
    ci95_high: float
    bt_score: float


class _FoolRecord(Protocol):
    """A row of ``foolrate.csv`` as ``itertuples`` yields it (the columns read here)."""

    method: str
    n: int
    rate: float
    ci95_low: float
    ci95_high: float
    p: float


def _fixed(value: float, digits: int = 2) -> str:
    return "" if value is None or np.isnan(value) else f"{value:.{digits}f}"


def format_p(value: float) -> str:
    """A p-value as the tables show it: 3 decimals, small ones in scientific notation."""
    if value is None or np.isnan(value):
        return ""
    return f"{value:.1e}" if value < 1e-3 else f"{value:.3f}"


def _blocks(results: Results, table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """``table`` split per dataset, in arm order (datasets without rows left out)."""
    return [
        (dataset, table[table["dataset"] == dataset])
        for dataset in results.methods
        if (table["dataset"] == dataset).any()
    ]


def _choices_per_method(results: Results, dataset: str, method: str) -> int:
    part = results.choices[results.choices["dataset"] == dataset]
    return int(((part["left"] == method) | (part["right"] == method)).sum())


def _scale_rows(results: Results, dataset: str, part: pd.DataFrame) -> list[Row]:
    rows = []
    for row in cast("Iterable[_ScaleRecord]", part.itertuples(index=False)):
        rows.append(
            [
                results.labels.get(row.method, row.method),
                _fixed(row.jod),
                f"[{_fixed(row.ci95_low)}, {_fixed(row.ci95_high)}]",
                _fixed(row.bt_score),
                str(_choices_per_method(results, dataset, row.method)),
            ]
        )
    return rows


def _fool_rows(results: Results, dataset: str, part: pd.DataFrame) -> list[Row]:
    return [
        [
            results.labels.get(row.method, row.method),
            str(int(row.n)),
            f"{100 * row.rate:.1f} %",
            f"[{100 * row.ci95_low:.1f}, {100 * row.ci95_high:.1f}] %",
            format_p(row.p),
        ]
        for row in cast("Iterable[_FoolRecord]", part.itertuples(index=False))
    ]


SCALE_HEADINGS = ["Method", "JOD", "95 % CI", "BT score", "Choices"]
FOOL_HEADINGS = ["Method", "Trials", "Fool rate", "95 % CI", "p"]


def _raters_note(results: Results) -> str:
    raters = results.choices["rater"].nunique()
    note = f"{len(results.choices)} choices of {raters} raters"
    if results.excluded:
        note += f"; left out: {len(results.excluded)} simulated raters"
    return note


def _separated(results: Results, dataset: str) -> str:
    """Which compared pairs the Holm-corrected binomial tests do not separate."""
    tests = results.tables["pairwise.csv"]
    part = tests[(tests["dataset"] == dataset) & ~tests["significant"].astype(bool)]
    if part.empty:
        return f"every compared pair differs (Holm p < {results.options.alpha:g})"
    names = [
        f"{results.labels.get(a, a)} / {results.labels.get(b, b)}"
        for a, b in zip(part["method_a"], part["method_b"], strict=True)
    ]
    return f"not significant (Holm p >= {results.options.alpha:g}): " + "; ".join(names)


def scale_caption(results: Results) -> str:
    return (
        f"Study {results.study.name}: Thurstone Case V scale in JOD (1 JOD = 75 % preference), "
        "each arm's first method at 0, 95 % CI by bootstrap over raters "
        f"({results.options.draws} draws, seed {results.options.seed}); Bradley-Terry "
        f"log-strength beside; {_raters_note(results)}."
    )


def fool_caption(results: Results) -> str:
    return (
        f"Study {results.study.name}: fool rate, the share of trials in which the method's "
        f"output was taken for the real photograph ({results.reference}); 95 % Clopper-Pearson "
        f"CI, exact two-sided binomial p against 50 %; {_raters_note(results)}."
    )


def _markdown(
    results: Results,
    table: pd.DataFrame,
    headings: Sequence[str],
    rows: Callable[[Results, str, pd.DataFrame], list[Row]],
    caption: str,
    note: Callable[[Results, str], str] | None = None,
) -> str:
    lines = [f"# {results.study.name}", "", caption, ""]
    for dataset, part in _blocks(results, table):
        lines += [f"## {dataset}", ""]
        lines.append("| " + " | ".join(headings) + " |")
        lines.append("|---" + "|---:" * (len(headings) - 1) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows(results, dataset, part)]
        if note is not None:
            lines += ["", note(results, dataset)]
        lines.append("")
    if len(lines) == 4:
        lines += ["No choices yet.", ""]
    return "\n".join(lines)


def _latex(
    results: Results,
    table: pd.DataFrame,
    headings: Sequence[str],
    rows: Callable[[Results, str, pd.DataFrame], list[Row]],
    caption: str,
    label: str,
) -> str:
    columns = "l" + "r" * (len(headings) - 1)
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        rf"\caption{{{latex_escape(caption)}}}",
        rf"\label{{tab:{label}}}",
        rf"\begin{{tabular}}{{{columns}}}",
        r"\toprule",
        " & ".join(latex_escape(h) for h in headings) + r" \\",
    ]
    for dataset, part in _blocks(results, table):
        span = rf"\multicolumn{{{len(headings)}}}{{l}}{{{latex_escape(dataset)}}} \\"
        lines += [r"\midrule", span]
        lines += [
            " & ".join(latex_escape(cell) for cell in row) + r" \\"
            for row in rows(results, dataset, part)
        ]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)


def scale_md(results: Results) -> str:
    table = results.tables["scale.csv"]
    caption = scale_caption(results)
    return _markdown(results, table, SCALE_HEADINGS, _scale_rows, caption, _separated)


def scale_tex(results: Results) -> str:
    table = results.tables["scale.csv"]
    caption = scale_caption(results)
    return _latex(results, table, SCALE_HEADINGS, _scale_rows, caption, "scale")


def fool_md(results: Results) -> str:
    table = results.tables["foolrate.csv"]
    return _markdown(results, table, FOOL_HEADINGS, _fool_rows, fool_caption(results))


def fool_tex(results: Results) -> str:
    table = results.tables["foolrate.csv"]
    return _latex(results, table, FOOL_HEADINGS, _fool_rows, fool_caption(results), "foolrate")
