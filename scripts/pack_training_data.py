"""Pack the training images (and the Set5 x4 benchmark) small enough to travel to a GPU.

Usage::

    python scripts/pack_training_data.py            # -> .device/data (git-ignored)
    python scripts/pack_training_data.py --out DIR --source NAME=DIR ... --max-mib 60

The GPU machine receives the working tree plus at most 64 MiB of carried files, and
BSD300-train (200 PNG, 50 MB) + T91 (91 BMP, 16 MB) are 66 MB as published. Every
image is re-encoded as **lossless** WebP (about a third smaller than the best PNG; each
file is decoded again and compared pixel for pixel with the source, so the packing can
never change the training data), and the Set5 x4 HR/LR PNGs are copied unchanged for
the evaluation at the end of the GPU run. Files already packed are kept, so a second run
is quick. The script prints the total size and fails when it exceeds ``--max-mib``.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "datasets"
DEFAULT_SOURCES = {
    "BSD300-train": SHARED / "train" / "BSD300-train",
    "T91": SHARED / "train" / "T91",
}
DEFAULT_BENCHMARKS = {"Set5": SHARED / "benchmarks" / "Set5" / "x4"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".device" / "data")
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="training folders (default: BSD300-train and T91)",
    )
    parser.add_argument(
        "--benchmark",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="benchmark folders copied as they are (default: Set5 x4)",
    )
    parser.add_argument(
        "--method",
        type=int,
        default=4,
        choices=range(7),
        metavar="0-6",
        help="WebP effort (4: near the smallest, much faster than 6)",
    )
    parser.add_argument("--max-mib", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args()


def _pairs(items: list[str], default: dict[str, Path]) -> dict[str, Path]:
    if not items:
        return dict(default)
    parsed = {}
    for item in items:
        name, sep, folder = item.partition("=")
        if not sep:
            raise SystemExit(f"error: {item!r} must look like NAME=DIR")
        parsed[name] = Path(folder)
    return parsed


def pack_one(source: Path, target: Path, method: int) -> int:
    """Encode ``source`` as lossless WebP at ``target``, verified; returns its size."""
    from srmodels.imageio import load_image

    if target.is_file():
        return target.stat().st_size
    pixels = load_image(source)  # the project's reader: what training will see
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(
        buffer, format="WEBP", lossless=True, quality=100, method=method, exact=True
    )
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as decoded:
        if not np.array_equal(np.asarray(decoded.convert("RGB")), pixels):
            raise SystemExit(f"error: WebP of {source} does not decode to the same pixels")
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return len(data)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> int:
    args = parse_args()
    from PIL import features

    from srmodels.data import list_images

    if not features.check("webp"):
        raise SystemExit("error: this Pillow has no WebP support")
    sources = _pairs(args.source, DEFAULT_SOURCES)
    benchmarks = _pairs(args.benchmark, DEFAULT_BENCHMARKS)
    jobs = []
    for name, folder in sources.items():
        target_dir = args.out / "train" / name
        target_dir.mkdir(parents=True, exist_ok=True)
        for path in list_images([folder]):
            jobs.append((path, target_dir / f"{path.stem}.webp"))
    with ProcessPoolExecutor(max(1, args.workers)) as pool:
        sizes = list(pool.map(pack_one, *zip(*jobs, strict=True), [args.method] * len(jobs)))
    source_bytes = sum(path.stat().st_size for path, _ in jobs)
    print(
        f"packed {len(jobs)} training images: {source_bytes / 2**20:.1f} MiB -> "
        f"{sum(sizes) / 2**20:.1f} MiB (lossless WebP, verified)"
    )
    for name, folder in benchmarks.items():
        target_dir = args.out / "benchmarks" / name
        target_dir.mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.glob("*.png")):
            shutil.copy2(path, target_dir / path.name)
        print(f"copied benchmark {name}: {folder_size(target_dir) / 2**20:.2f} MiB")
    total = folder_size(args.out)
    print(f"total {args.out}: {total / 2**20:.1f} MiB (limit {args.max_mib} MiB)")
    if total > args.max_mib * 2**20:
        print("error: over the limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
