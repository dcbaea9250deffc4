"""Comparisons needed by active sampling (ASAP-approx) against the full design, same RMSE.

Usage: ``python bench/pairwise.py [N_SEEDS]`` (default 20).

Simulated Thurstone observers (26 raters, 14 Set14 images) with planted JOD scores
answer two designs of one arm: the full design (every pair of methods in rounds, each
round every pair once, in random order per rater: balanced at every prefix), the
baseline, and the active design (``study.pairwise.active``: each trial chosen from the
answers so far, raters taking turns). Both are scaled by the same estimator,
``study.pairwise.stats.thurstone_scale``, at a grid of budgets; the error is the RMSE
between the scale and the planted scores, both centred on their mean (the reference
choice then plays no part), its median over the seeds at each budget.

The figure. The median curves still wobble by about 10 % between neighbouring
budgets, which moves a raw crossing by a third, so each curve is read through a power
law ``RMSE = a N^b`` fitted past the first grid points. The target is the full
design's fitted RMSE at its reference budget; the ratio is the budget at which the
active design's fit reaches it over the reference budget. The bar is 0.70 (at least
30 % fewer comparisons). The raw crossing of the medians is printed beside it.

The ceiling. At large budgets the RMSE is set by the Fisher information of how the
comparisons are spread over the pairs, so no design, active or not, can beat the
A-optimal spread computed from the planted scores themselves; the script prints that
bound. A full design only wastes comparisons on pairs so far apart that they are
nearly unanimous, so the bound depends on the arm's spread in JOD.

Arms. Planted JOD = k x (the paper's Set14 MOS - the lowest MOS of the arm), k JOD per
MOS point: an assumption of the simulation (k = 1.5), which keeps the paper's order and
gaps. "4 methods" is the issue's example arm (bicubic, SRResNet-MSE, SRGAN-MSE,
SRGAN-VGG54), reference budget the full design on Set14 (6 pairs x 14 images per
rater); "12 methods" is the paper's twelve versions, reference budget two rounds of
the 66 pairs per rater (3,432 comparisons, the size the sampler's speed bar speaks
of). "wide" is a sensitivity case, the twelve with k = 3 (nearest to HR 9.4 JOD), where
the full design spends many comparisons on foregone pairs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.special import ndtr  # noqa: E402

from study.pairwise import stats  # noqa: E402
from study.pairwise.simulate import simulate_active, simulate_full  # noqa: E402
from study.srgan2017 import MOS  # noqa: E402

RATERS = 26
IMAGES = 14
BAR = 0.70
SET14_MOS = MOS["Set14"]
ARMS = {
    # name: (methods, JOD per MOS point, per-rater budgets of the grid, reference budget)
    "4 methods": (
        ["bicubic", "srresnet-mse", "srgan-mse", "srgan-vgg54"],
        1.5,
        list(range(3, 85, 3)),
        84,
    ),
    "12 methods": (list(SET14_MOS), 1.5, list(range(6, 133, 6)), 132),
    "12 methods, wide (sensitivity)": (list(SET14_MOS), 3.0, list(range(6, 133, 6)), 132),
}
FIT_FROM = 4  # the power-law fit skips the first grid points (small-sample regime)


def planted(methods: list[str], jod_per_mos: float = 1.5) -> dict[str, float]:
    low = min(SET14_MOS[m] for m in methods)
    return {m: jod_per_mos * (SET14_MOS[m] - low) for m in methods}


def rmse(choices: pd.DataFrame, truth: dict[str, float]) -> float:
    scale = stats.thurstone_scale(choices, methods=list(truth))
    q = scale.set_index("method")["jod"].reindex(list(truth)).to_numpy()
    t = np.array(list(truth.values()))
    return float(np.sqrt(np.mean(((q - q.mean()) - (t - t.mean())) ** 2)))


def curves(truth: dict[str, float], grid: list[int], seed: int) -> tuple[list, list, float]:
    """RMSE at each per-rater budget of the grid, full and active, for one seed."""
    common = {"dataset": "Set14", "images": IMAGES, "raters": RATERS, "seed": seed}
    full = simulate_full(truth, comparisons_per_rater=max(grid), **common)
    nth = full.groupby("rater", sort=False).cumcount().to_numpy()
    start = time.perf_counter()
    active = simulate_active(truth, comparisons_per_rater=max(grid), **common)
    active_s = time.perf_counter() - start
    # Raters take turns, so the first k * RATERS rows are the study after k rounds.
    full_rmse = [rmse(full[nth < k], truth) for k in grid]
    active_rmse = [rmse(active.iloc[: k * RATERS], truth) for k in grid]
    return full_rmse, active_rmse, active_s / len(active)


def crossing(budgets: np.ndarray, errors: np.ndarray, target: float) -> float:
    """The first budget at which ``errors`` falls to ``target`` (interpolated), or inf."""
    below = np.flatnonzero(errors <= target)
    if len(below) == 0:
        return float("inf")
    k = below[0]
    if k == 0:
        return float(budgets[0])
    e0, e1 = errors[k - 1], errors[k]
    return float(budgets[k - 1] + (budgets[k] - budgets[k - 1]) * (e0 - target) / (e0 - e1))


def power_law(budgets: np.ndarray, errors: np.ndarray) -> tuple[float, float]:
    """``log RMSE = a + b log N`` fitted by least squares past the first grid points.

    The median of 20 seeds still wobbles by about 10 % from one budget to the next,
    enough to move a raw crossing by a third; the fit reads the trend of all points.
    """
    b, a = np.polyfit(np.log(budgets[FIT_FROM:]), np.log(errors[FIT_FROM:]), 1)
    return float(a), float(b)


def needed(law: tuple[float, float], target: float) -> float:
    a, b = law
    return float(np.exp((np.log(target) - a) / b))


def design_bound(truth: dict[str, float]) -> float:
    """The least share of the full design's comparisons that any design needs for the
    full design's RMSE, at large budgets, knowing the planted scores.

    The RMSE of centred scores is sqrt(trace(F^+) / n) for the Fisher information F of
    the allocation of comparisons to pairs; a comparison of i and j carries
    ``phi(z)^2 / (Phi(z) (1 - Phi(z))) / sigma^2`` at ``z = (q_i - q_j) / sigma``. The
    A-optimal allocation (multiplicative algorithm) against the uniform one is the bound.
    """
    q = np.array(list(truth.values()))
    i, j = np.triu_indices(len(q), k=1)
    z = (q[i] - q[j]) / stats.JOD_SIGMA
    info = np.exp(-z * z) / (2 * np.pi * ndtr(z) * ndtr(-z))
    design = np.zeros((len(i), len(q)))
    design[np.arange(len(i)), i], design[np.arange(len(i)), j] = 1.0, -1.0

    def trace_cov(w: np.ndarray) -> tuple[float, np.ndarray]:
        cov = np.linalg.pinv((design.T * (w * info)) @ design)
        return float(np.trace(cov)), cov

    w = np.full(len(i), 1.0 / len(i))
    uniform, _ = trace_cov(w)
    for _ in range(3000):
        _, cov = trace_cov(w)
        gain = info * np.einsum("ki,ij,kj->k", design, cov @ cov, design)
        w = w * gain / np.sum(w * gain)
    return trace_cov(w)[0] / uniform


def main(n_seeds: int) -> None:
    for name, (methods, jod_per_mos, grid, reference) in ARMS.items():
        truth = planted(methods, jod_per_mos)
        start = time.perf_counter()
        runs = [curves(truth, grid, seed) for seed in range(n_seeds)]
        full = np.median([r[0] for r in runs], axis=0)
        active = np.median([r[1] for r in runs], axis=0)
        per_choice_ms = 1e3 * float(np.median([r[2] for r in runs]))
        budgets = np.array(grid) * RATERS
        full_law, active_law = power_law(budgets, full), power_law(budgets, active)
        target = float(np.exp(full_law[0] + full_law[1] * np.log(reference * RATERS)))
        n_full, n_active = needed(full_law, target), needed(active_law, target)
        ratio = n_active / n_full
        raw_target = float(full[grid.index(reference)])
        raw = crossing(budgets, active, raw_target) / crossing(budgets, full, raw_target)
        print(f"\n{name}: planted JOD {', '.join(f'{m} {q:.2f}' for m, q in truth.items())}")
        print(
            f"  {n_seeds} seeds in {time.perf_counter() - start:.0f} s; "
            f"active: {per_choice_ms:.2f} ms per trial (posterior + choice + answer)"
        )
        print("  comparisons  median RMSE full  median RMSE active")
        for b, f, a in zip(budgets, full, active, strict=True):
            print(f"  {b:11d}  {f:16.4f}  {a:18.4f}")
        print(
            f"  fits: full RMSE ~ N^{full_law[1]:.2f}, active RMSE ~ N^{active_law[1]:.2f}; "
            f"raw crossing ratio {raw:.2f} (from the medians, noisy)"
        )
        print(
            f"  any design needs at least {design_bound(truth):.2f} of the full design's "
            "comparisons at large budgets (A-optimal allocation, planted scores known)"
        )
        print(
            f"  target RMSE {target:.4f} (full design, {reference * RATERS} comparisons): "
            f"full needs {n_full:.0f}, active {n_active:.0f}; "
            f"ratio active / full = {ratio:.2f} (bar {BAR:.2f}: "
            f"{'met' if ratio <= BAR else 'NOT met'})"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
