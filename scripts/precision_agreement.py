"""Print the auto-vs-fp32 PSNR agreement of every shipped model (docs/PERFORMANCE.md's table).

    python scripts/precision_agreement.py [--data ../shared/datasets] [METHOD ...]

Each model's benchmark outputs are made twice, with ``precision="auto"`` and with exact
fp32, and scored against HR; the difference must stay within 0.03 dB per set.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from srmodels.accuracy import TOLERANCE_DB, precision_agreement  # noqa: E402
from srmodels.hardware import cpu_model, native_bf16  # noqa: E402
from srmodels.registry import METHODS, SHIPPED_WEIGHTS_DIR  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("methods", nargs="*", help="default: every shipped model")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets")
    args = parser.parse_args()
    methods = args.methods or [
        key for key in METHODS if (SHIPPED_WEIGHTS_DIR / f"{key}.safetensors").is_file()
    ]
    benchmarks = {s: args.data / "benchmarks" / s / "x4" for s in ("Set5", "Set14", "BSD100")}
    missing = [str(p) for p in benchmarks.values() if not p.is_dir()]
    if missing:
        print(f"benchmark folders missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(f"CPU: {cpu_model()}; native bf16: {native_bf16() or 'none'}")
    print("| method | set | auto runs | PSNR auto | PSNR fp32 | difference |")
    print("| --- | --- | --- | --- | --- | --- |")
    worst = 0.0
    for method in methods:
        weights = SHIPPED_WEIGHTS_DIR / f"{method}.safetensors"
        for row in precision_agreement(method, weights=weights, benchmarks=benchmarks):
            worst = max(worst, abs(row["difference_db"]))
            print(
                f"| {method} | {row['benchmark']} | {row['auto_precision']} | "
                f"{row['psnr_auto']:.4f} | {row['psnr_fp32']:.4f} | "
                f"{row['difference_db']:+.4f} dB |"
            )
    print(f"largest difference {worst:.4f} dB (tolerance {TOLERANCE_DB} dB)")
    return 0 if worst <= TOLERANCE_DB else 1


if __name__ == "__main__":
    raise SystemExit(main())
