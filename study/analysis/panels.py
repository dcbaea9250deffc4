"""What the ACR study page shows of the live summary: plain rows for the templates.

Pure: the frames of :func:`study.analysis.dashboard.live_summary` in, lists of dicts
out, rounded as shown (the export keeps every digit). Nothing here computes a
statistic: the MOS, the metrics, the tests and the retest table are the pipeline's.

The Wilcoxon matrix colours its cells by p; each cell's text is black or white,
whichever contrasts more with its background, which WCAG 2 guarantees to be at least
4.58:1 for any background colour (the page must stay readable for every p).
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Iterable
from typing import Protocol, SupportsFloat, cast

import pandas as pd

from study.analysis.dashboard import LiveSummary
from study.srgan2017 import REFERENCE_METHOD

# The rows of the paper's Table 2 (and the export's mos.csv columns), as the page shows
# them: label, column, digits. Table 2 prints daala's SSIM; both SSIMs are shown here.
PAPER_ROWS = (
    ("PSNR (dB)", "psnr", 2),
    ("SSIM", "ssim", 4),
    ("daala SSIM", "ssim_daala", 4),
    ("MOS", "mos", 2),
)
ALPHA = 0.05
BLACK = "#000000"
WHITE = "#ffffff"
# Backgrounds of a Wilcoxon cell without a test, and of a non-significant one.
NO_TEST = "#eeeeee"
NOT_SIGNIFICANT = "#f4f1ea"
# Direction marks of a Wilcoxon cell: the row's method rated higher / lower / equal.
HIGHER, LOWER, EQUAL = "▲", "▼", "="


def number(value: SupportsFloat | None) -> float | None:
    """A float, or None for a missing value (NaN, None)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


# --------------------------------------------------------------------------- colours


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)))
    return (b + 0.05) / (a + 0.05)


def text_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (always >= 4.58:1)."""
    if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background):
        return BLACK
    return WHITE


def heat(p: float | None) -> str:
    """Background of a Wilcoxon cell: deeper blue the smaller p; beige when not significant."""
    if p is None:
        return NO_TEST
    if p >= ALPHA:
        return NOT_SIGNIFICANT
    strength = min(1.0, -math.log10(max(p, 1e-300)) / 10.0)
    lightness = 0.88 - 0.50 * strength
    r, g, b = colorsys.hls_to_rgb(212 / 360, lightness, 0.70)
    return "#{:02x}{:02x}{:02x}".format(*(round(255 * c) for c in (r, g, b)))


def format_p(p: float | None) -> str:
    if p is None:
        return "–"
    if p < 1e-4:
        return f"{p:.0e}"
    return f"{p:.3f}"


# --------------------------------------------------------------------------- Wilcoxon


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


def wilcoxon_cell(
    row: str, column: str, pair: _WilcoxonRow, labels: dict[str, str]
) -> dict[str, object]:
    """The cell (row method, column method) of the matrix, stated from the row's side.

    The test of a pair is stored once (``method_a`` vs ``method_b``, effect size and
    median difference following ``a - b``); the mirrored cell turns the MOS, the
    comparison and the effect size around, so every cell reads "row vs column".
    """
    p = number(pair.p_holm)
    mirrored = pair.method_a != row
    mos_row, mos_column = (pair.mos_b, pair.mos_a) if mirrored else (pair.mos_a, pair.mos_b)
    effect = -float(pair.effect_size) if mirrored else float(pair.effect_size)
    if mos_row > mos_column:
        sign, mark = ">", HIGHER
    elif mos_row < mos_column:
        sign, mark = "<", LOWER
    else:
        sign, mark = "=", EQUAL
    background = heat(p)
    name_row, name_column = labels.get(row, row), labels.get(column, column)
    return {
        "text": f"{mark} {format_p(p)}",
        "style": f"background:{background};color:{text_on(background)}",
        "significant": bool(pair.significant),
        "title": (
            f"{name_row} {mos_row:.2f} {sign} {name_column} {mos_column:.2f}; "
            f"{pair.n_pairs} pairs; Holm p = {format_p(p)}; effect size {effect:+.2f} "
            f"(positive: {name_row} rated higher)"
        ),
    }


def wilcoxon_matrices(summary: LiveSummary) -> list[dict[str, object]]:
    """Per dataset a method x method matrix of Holm-corrected p, coloured by p.

    A cell (row a, column b) says whether a's MOS differs from b's and which way
    (▲: a rated higher); its title gives both MOS, the pairs and the effect size of a
    against b.
    """
    wilcoxon: pd.DataFrame = summary["wilcoxon"]
    if wilcoxon.empty:
        return []
    labels = dict(summary["labels"])
    matrices: list[dict[str, object]] = []
    for dataset in summary["datasets"]:
        part = wilcoxon[wilcoxon["dataset"] == dataset]
        tested = set(part["method_a"]) | set(part["method_b"])
        methods = [m for m in summary["methods"] if m in tested]
        found: dict[tuple[str, str], _WilcoxonRow] = {}
        for tested_pair in cast("Iterable[_WilcoxonRow]", part.itertuples(index=False)):
            found[(tested_pair.method_a, tested_pair.method_b)] = tested_pair
            found[(tested_pair.method_b, tested_pair.method_a)] = tested_pair
        rows: list[dict[str, object]] = []
        for a in methods:
            cells: list[dict[str, object]] = []
            for b in methods:
                pair = found.get((a, b))
                if a == b or pair is None:
                    cells.append({"text": "", "style": f"background:{WHITE}", "title": ""})
                else:
                    cells.append(wilcoxon_cell(a, b, pair, labels))
            rows.append({"label": labels.get(a, a), "cells": cells})
        matrices.append(
            {"dataset": dataset, "labels": [labels.get(m, m) for m in methods], "rows": rows}
        )
    return matrices


# --------------------------------------------------------------------------- MOS tables


def _shown(value: float | None, digits: int, column: str) -> str:
    if value is None:
        return "–"
    if math.isinf(value):
        return "∞"
    if column.startswith("ssim") and value == 1.0:
        return "1"
    return f"{value:.{digits}f}"


def _metric_row(
    name: str, column: str, digits: int, part: pd.DataFrame, methods: list[str]
) -> dict[str, object]:
    """One measure across the methods; the best value as shown, HR aside, is bold (Table 2)."""
    values = [number(cast(float, part.at[m, column])) if column in part else None for m in methods]
    texts = [_shown(v, digits, column) for v in values]
    # Compared as shown (rounded), every tie bold, when at least two values compete.
    shown = {
        i: float(t)
        for i, (m, t) in enumerate(zip(methods, texts, strict=True))
        if m != REFERENCE_METHOD and t not in ("–", "∞")
    }
    best = max(shown.values()) if len(shown) >= 2 else None
    cells = [
        {"text": t, "bold": best is not None and shown.get(i) == best} for i, t in enumerate(texts)
    ]
    return {"name": name, "cells": cells}


def paper_tables(summary: LiveSummary) -> list[dict[str, object]]:
    """Per dataset the paper's Table 2 layout: a column per method, a row per measure.

    Rows: PSNR, SSIM, daala SSIM and MOS (best non-HR value bold), then the MOS's
    95 % CI and the number of ratings. Methods in the paper's order.
    """
    mos: pd.DataFrame = summary["mos"]
    if mos.empty:
        return []
    labels = summary["labels"]
    tables: list[dict[str, object]] = []
    for dataset in summary["datasets"]:
        part = mos[mos["dataset"] == dataset].set_index("method")
        methods = [m for m in summary["methods"] if m in part.index]
        rows = [
            _metric_row(name, column, digits, part, methods) for name, column, digits in PAPER_ROWS
        ]
        ci = []
        for m in methods:
            low = number(cast(float, part.at[m, "ci95_low"]))
            high = number(cast(float, part.at[m, "ci95_high"]))
            ci.append({"text": "–" if low is None or high is None else f"{low:.2f} – {high:.2f}"})
        rows.append({"name": "95 % CI of MOS", "cells": ci})
        rows.append(
            {
                "name": "Ratings",
                "cells": [{"text": str(int(cast(int, part.at[m, "n"])))} for m in methods],
            }
        )
        tables.append(
            {"dataset": dataset, "labels": [labels.get(m, m) for m in methods], "rows": rows}
        )
    return tables


def per_image_tables(summary: LiveSummary) -> list[dict[str, object]]:
    """Per dataset a row per image, a column per method: the image's MOS (title: ratings)."""
    per_image: pd.DataFrame = summary["per_image"]
    if per_image.empty:
        return []
    labels = summary["labels"]
    tables: list[dict[str, object]] = []
    for dataset in summary["datasets"]:
        part = per_image[per_image["dataset"] == dataset]
        methods = [m for m in summary["methods"] if m in set(part["method"])]
        found = {
            (image, method): (mos, n)
            for image, method, mos, n in part[["image", "method", "mos", "n"]].itertuples(
                index=False
            )
        }
        rows = []
        for image in dict.fromkeys(part["image"]):
            cells = []
            for m in methods:
                value = found.get((image, m))
                cells.append(
                    {"text": "–", "title": "no rating"}
                    if value is None
                    else {"text": f"{value[0]:.2f}", "title": f"{int(value[1])} ratings"}
                )
            rows.append({"image": image, "cells": cells})
        tables.append(
            {"dataset": dataset, "labels": [labels.get(m, m) for m in methods], "rows": rows}
        )
    return tables


def retest_rows(summary: LiveSummary) -> list[dict[str, object]]:
    """The retest table (``retest.csv``) as shown: one row per retested (dataset, method)."""
    retest: pd.DataFrame = summary["retest"]
    if retest.empty:
        return []
    labels = summary["labels"]
    rows = []
    for record in retest.to_dict("records"):
        p = number(record["p_value"])
        rho = number(record["spearman_rho"])
        rows.append(
            {
                "dataset": record["dataset"],
                "method": labels.get(record["method"], record["method"]),
                "pairs": int(record["n_pairs"]),
                "first": f"{record['mean_first']:.2f}",
                "second": f"{record['mean_second']:.2f}",
                "identical": f"{100 * record['share_identical']:.0f} %",
                "mean_abs_diff": f"{record['mean_abs_diff']:.2f}",
                "rho": "–" if rho is None else f"{rho:.2f}",
                "p": format_p(p),
                "verdict": "–"
                if p is None
                else ("changed (p < 0.05)" if p < ALPHA else "no significant change"),
            }
        )
    return rows
