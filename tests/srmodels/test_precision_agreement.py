"""``precision="auto"`` keeps every shipped model within 0.03 dB of fp32 on each benchmark."""

from __future__ import annotations

import pytest

from srmodels.accuracy import TOLERANCE_DB, precision_agreement
from srmodels.hardware import native_bf16
from srmodels.registry import METHODS, SHIPPED_WEIGHTS_DIR
from tests.services import require_datasets

SHIPPED = [k for k in METHODS if (SHIPPED_WEIGHTS_DIR / f"{k}.safetensors").is_file()]


@pytest.mark.slow
@pytest.mark.parametrize("method", SHIPPED)
def test_it_keeps_auto_within_003_db_of_fp32(method: str) -> None:
    benchmarks = {
        name: require_datasets("benchmarks", name, "x4") for name in ("Set5", "Set14", "BSD100")
    }
    rows = precision_agreement(
        method, weights=SHIPPED_WEIGHTS_DIR / f"{method}.safetensors", benchmarks=benchmarks
    )
    assert [row["benchmark"] for row in rows] == ["Set5", "Set14", "BSD100"]
    expected = "fp32" if METHODS[method].fp32_pin or not native_bf16() else "bf16"
    for row in rows:
        assert row["auto_precision"] == expected
        assert row["psnr_fp32"] > 25
        assert abs(row["difference_db"]) <= TOLERANCE_DB, row
