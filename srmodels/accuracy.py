"""Does the fast path change the science? PSNR of ``precision="auto"`` against exact fp32.

For a method's weights, both precisions upscale the benchmark LR files through the same
path as ``python -m srmodels upscale`` + ``evaluate`` (PNG files, Y channel, border =
scale) and the mean PSNRs against HR are compared per set. The project accepts a
difference of at most :data:`TOLERANCE_DB`; a method that misses it is pinned to fp32 in
the registry (``MethodSpec.fp32_pin``), which ``auto`` obeys.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict

from srmodels.train import measure_weights

TOLERANCE_DB = 0.03


class Agreement(TypedDict):
    """One benchmark's mean PSNR under ``precision="auto"`` and exact fp32."""

    method: str
    benchmark: str
    images: int
    auto_precision: str
    psnr_auto: float
    psnr_fp32: float
    difference_db: float


def precision_agreement(
    method: str,
    *,
    weights: Path,
    benchmarks: Mapping[str, Path],
    scale: int = 4,
    device: str = "cpu",
) -> list[Agreement]:
    """One row per benchmark: PSNR under auto and fp32, the difference, and what auto ran."""
    fast = measure_weights(
        weights, method=method, benchmarks=benchmarks, scale=scale, device=device
    )
    exact = measure_weights(
        weights,
        method=method,
        benchmarks=benchmarks,
        scale=scale,
        device=device,
        precision="fp32",
    )
    return [
        {
            "method": method,
            "benchmark": name,
            "images": exact[name]["images"],
            "auto_precision": fast[name]["precision"],
            "psnr_auto": fast[name]["psnr"],
            "psnr_fp32": exact[name]["psnr"],
            "difference_db": round(fast[name]["psnr"] - exact[name]["psnr"], 4),
        }
        for name in benchmarks
    ]
