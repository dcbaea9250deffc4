"""The paper's Figure 5: per method, the colour-coded distribution of scores and the mean.

Ledig et al. (CVPR 2017), Figure 5: for each method the share of each score 1..5
as a colour-coded cell centred on the score, and the mean opinion score as a red
marker, on BSD100 (100 images x 26 raters = 2,600 ratings per method). Here one
panel per dataset, BSD100 first as in the paper when the study has it.

Matplotlib through its object API and the Agg canvas only (no pyplot state), so
the dashboard can draw figures in several threads at once.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from study.analysis.pipeline import Analysis

if TYPE_CHECKING:
    from matplotlib.collections import QuadMesh

SCORES = (1, 2, 3, 4, 5)
COLORMAP = "Blues"
# The dataset of the paper's Figure 5: its panel comes first when a study has it.
PAPER_PANEL = "BSD100"


def panel_order(datasets: Sequence[str]) -> list[str]:
    """``datasets`` as Figure 5's panels: the paper's BSD100 first, the others as given."""
    return sorted(datasets, key=lambda d: d != PAPER_PANEL)


def figure5(
    mos: pd.DataFrame,
    *,
    datasets: Sequence[str],
    methods: Sequence[str],
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Figure 5 from a :func:`study.analysis.stats.mos` table (``count_1 .. count_5``, ``mos``).

    ``datasets`` are the panels, top to bottom; ``methods`` the columns, left to right
    (methods a dataset lacks are left out of its panel); ``labels`` maps method keys
    to the names shown.
    """
    labels = dict(labels or {})
    panels = [d for d in datasets if (mos["dataset"] == d).any()]
    if not panels:
        raise ValueError("figure5: no ratings to draw")
    width = max(6.0, 0.75 * len(methods) + 2.5)
    figure = Figure(figsize=(width, 3.2 * len(panels)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(panels), 1, squeeze=False)[:, 0]
    image: QuadMesh | None = None
    for ax, dataset in zip(axes, panels, strict=True):
        part = mos[mos["dataset"] == dataset].set_index("method")
        shown = [m for m in methods if m in part.index]
        counts = part.loc[shown, [f"count_{s}" for s in SCORES]].to_numpy(float)
        totals = counts.sum(1, keepdims=True)
        share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        x_edges = np.arange(len(shown) + 1) - 0.5
        y_edges = np.arange(len(SCORES) + 1) + 0.5
        image = ax.pcolormesh(x_edges, y_edges, share.T, cmap=COLORMAP, vmin=0.0, vmax=1.0)
        for i in range(len(shown)):
            for j, score in enumerate(SCORES):
                value = share[i, j]
                if value >= 0.005:
                    # Left in the cell: the centre is where the red MOS marker may sit.
                    ax.text(
                        i - 0.45,
                        score,
                        f"{100 * value:.0f}%",
                        ha="left",
                        va="center",
                        fontsize=6.5,
                        color="white" if value > 0.55 else "black",
                    )
        means = part.loc[shown, "mos"].to_numpy(float)
        ax.plot(
            np.arange(len(shown)),
            means,
            linestyle="none",
            marker="o",
            markersize=7,
            markerfacecolor="red",
            markeredgecolor="darkred",
            label="MOS",
        )
        n = part.loc[shown, "n"].to_numpy()
        per_method = f"{int(n[0]):,} ratings per method" if len(set(n)) == 1 else "ratings vary"
        ax.set_title(f"{dataset} ({per_method})", fontsize=10)
        ax.set_xticks(np.arange(len(shown)))
        # Plain text: a "$" in a label must not start matplotlib's mathtext.
        ticks = [labels.get(m, m).replace("$", r"\$") for m in shown]
        ax.set_xticklabels(ticks, rotation=35, ha="right")
        ax.set_yticks(list(SCORES))
        ax.set_ylim(0.5, 5.5)
        ax.set_xlim(-0.5, len(shown) - 0.5)
        ax.set_ylabel("score")
    assert image is not None  # there is a panel (checked above)
    figure.colorbar(image, ax=list(axes), label="share of the method's ratings", shrink=0.9)
    axes[0].legend(loc="lower right", fontsize=8, frameon=True)
    return figure


def render(figure: Figure, *, fmt: str, dpi: int = 150) -> bytes:
    """The figure encoded as ``png`` or ``pdf`` (no creation date, so output is stable)."""
    if fmt not in ("png", "pdf"):
        raise ValueError(f"render: fmt must be 'png' or 'pdf', got {fmt!r}")
    buffer = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"CreationDate": None, "Creator": None}
    figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def figure5_bytes(analysis: Analysis, *, formats: Sequence[str] = ("png",)) -> list[bytes]:
    """Figure 5 of an analysis encoded in each of ``formats`` (BSD100 first, as in the paper)."""
    figure = figure5(
        analysis.mos,
        datasets=panel_order(analysis.datasets),
        methods=analysis.methods,
        labels=analysis.labels,
    )
    return [render(figure, fmt=fmt) for fmt in formats]
