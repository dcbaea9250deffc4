"""``python -m srmodels upscale``: upscale LR images with any registry method.

Runs the inference engine (:class:`srmodels.engine.Upscaler`) over the files (or the
images inside directories given as FILE) and writes ``<stem>.png`` into ``--out``.
Files that cannot be read or written are reported by name and the others still
processed; the exit status is 1 when any file failed, 2 for a usage error (unknown
method, missing weights, CUDA asked for but absent).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from srmodels.cli import CommandError

HELP = "upscale images with a method of the registry (writes <stem>.png)"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", required=True, help="registry key (see `methods`)")
    parser.add_argument("--weights", type=Path, help="weights file (default: the search path)")
    parser.add_argument("--scale", type=int, default=4, help="upscaling factor (default 4)")
    parser.add_argument("--out", required=True, type=Path, help="output directory (created)")
    parser.add_argument(
        "--device", default="auto", help="auto (CUDA if available), cpu, cuda or cuda:N"
    )
    parser.add_argument("--batch-size", type=int, default=8, help="images per forward pass")
    parser.add_argument(
        "--tile", type=int, default=None, help="largest input side per forward pass (tiling)"
    )
    parser.add_argument(
        "--tile-overlap",
        type=int,
        default=None,
        help="context pixels around each tile (default 16; 32 for SRCNN/DRCN)",
    )
    parser.add_argument(
        "--precision", choices=("fp32", "bf16", "fp16"), default="fp32", help="autocast dtype"
    )
    parser.add_argument("--channels-last", action="store_true", help="NHWC memory format (CUDA)")
    parser.add_argument("--compile", action="store_true", help="torch.compile the network")
    parser.add_argument(
        "--workers", type=int, default=None, help="decode/encode threads (default: all CPUs)"
    )
    parser.add_argument(
        "--compress-level",
        type=int,
        default=6,
        choices=range(10),
        metavar="0-9",
        help="PNG zlib level; pixels are identical at every level (default 6; 1 is faster)",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="LR images or dirs")


def expand_inputs(files: list[Path]) -> list[Path]:
    """Files as given; a directory stands for its image files, sorted by name."""
    expanded: list[Path] = []
    for path in files:
        if path.is_dir():
            expanded += sorted(
                child
                for child in path.iterdir()
                if child.is_file() and child.suffix.lower() in IMAGE_SUFFIXES
            )
        else:
            expanded.append(path)
    return expanded


def run(args: argparse.Namespace) -> int:
    from srmodels.engine import Upscaler
    from srmodels.registry import MissingWeightsError, UnknownMethodError
    from srmodels.weights import WeightsError

    out_dir: Path = args.out
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandError(f"--out {out_dir} exists and is not a directory")
    files = expand_inputs(list(args.files))
    if not files:
        raise CommandError(f"no image files in {', '.join(map(str, args.files))}")
    try:
        upscaler = Upscaler(
            args.method,
            scale=args.scale,
            weights=args.weights,
            device=args.device,
            batch_size=args.batch_size,
            tile=args.tile,
            tile_overlap=args.tile_overlap,
            precision=args.precision,
            channels_last=args.channels_last,
            compile=args.compile,
            workers=args.workers,
        )
    except (UnknownMethodError, MissingWeightsError, WeightsError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create --out {out_dir}: {exc.strerror or exc}") from None
    written = upscaler.upscale_files(
        files, out_dir, progress=None, compress_level=args.compress_level
    )
    for failure in sorted(upscaler.failures, key=lambda f: files.index(f.path)):
        print(f"error: {failure.error}", file=sys.stderr)
    print(
        f"wrote {len(written)} of {len(files)} images to {out_dir} "
        f"({upscaler.method} x{upscaler.scale} on {upscaler.device})",
        file=sys.stderr,
    )
    return 1 if upscaler.failures else 0
