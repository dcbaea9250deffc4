"""The figure of a two-image study: the scale with its CIs, or the fool rate with its CIs.

One panel per dataset (the arms' order, top to bottom), the arm's methods left to
right. Matplotlib through its object API and the Agg canvas only (no pyplot state,
so the dashboard may draw in several threads); every label is plain text (no TeX,
a ``$`` in a method's label is shown as it is). Encoded by
:func:`study.analysis.figures.render` (no creation date, so files are stable).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from srmodels.typedefs import Float64Array
from study.pairwise.results import Results


def _plain(text: str) -> str:
    """``text`` shown literally: matplotlib would read ``$...$`` as mathtext."""
    return text.replace("$", r"\$")


def _panels(results: Results, table: pd.DataFrame) -> tuple[Figure, list[Axes], list[str]]:
    datasets = [d for d in results.methods if (table["dataset"] == d).any()]
    if not datasets:
        raise ValueError("figure: no choices to draw")
    widest = max(len(results.methods[d]) for d in datasets)
    figure = Figure(figsize=(max(5.0, 0.8 * widest + 2.0), 3.0 * len(datasets)))
    figure.set_layout_engine("constrained")
    FigureCanvasAgg(figure)
    axes = list(figure.subplots(len(datasets), 1, squeeze=False)[:, 0])
    return figure, axes, datasets


def _bars(values: Float64Array, low: Float64Array, high: Float64Array) -> Float64Array:
    """Error bar lengths below and above; never negative (a point outside its CI)."""
    lengths: Float64Array = np.clip(np.vstack([values - low, high - values]), 0.0, None)
    return lengths


def scale_figure(results: Results) -> Figure:
    """JOD of each method with its bootstrap 95 % CI; the reference at 0."""
    table = results.tables["scale.csv"]
    figure, axes, datasets = _panels(results, table)
    for ax, dataset in zip(axes, datasets, strict=True):
        part = table[table["dataset"] == dataset]
        jod = part["jod"].to_numpy(float)
        x = np.arange(len(part))
        bars = _bars(jod, part["ci95_low"].to_numpy(float), part["ci95_high"].to_numpy(float))
        ax.axhline(0.0, color="0.7", linewidth=0.8)
        ax.errorbar(x, jod, yerr=bars, fmt="o", color="tab:blue", capsize=4)
        ax.set_xticks(x)
        labels = [_plain(results.labels.get(m, m)) for m in part["method"]]
        ax.set_xticklabels(labels, rotation=30, ha="right")
        ax.set_xlim(-0.5, len(part) - 0.5)
        ax.set_ylabel("quality (JOD)")
        ax.set_title(_plain(f"{dataset}: Thurstone scale, 95 % bootstrap CI"), fontsize=10)
    return figure


def fool_figure(results: Results) -> Figure:
    """Fool rate of each method with its Clopper-Pearson 95 % CI; chance at 50 %."""
    table = results.tables["foolrate.csv"]
    figure, axes, datasets = _panels(results, table)
    for ax, dataset in zip(axes, datasets, strict=True):
        part = table[table["dataset"] == dataset]
        rate = 100 * part["rate"].to_numpy(float)
        x = np.arange(len(part))
        low, high = (100 * part[c].to_numpy(float) for c in ("ci95_low", "ci95_high"))
        ax.axhline(50.0, color="0.5", linewidth=0.8, linestyle="--", label="chance (50 %)")
        ax.errorbar(x, rate, yerr=_bars(rate, low, high), fmt="o", color="tab:red", capsize=4)
        ax.set_xticks(x)
        labels = [_plain(results.labels.get(m, m)) for m in part["method"]]
        ax.set_xticklabels(labels, rotation=30, ha="right")
        ax.set_xlim(-0.5, len(part) - 0.5)
        ax.set_ylim(0, 100)
        ax.set_ylabel("taken for the real photo (%)")
        ax.set_title(_plain(f"{dataset}: fool rate, 95 % Clopper-Pearson CI"), fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
    return figure
