"""``python -m srmodels downscale``: make LR images the way the benchmarks made theirs.

Each image is cropped to a multiple of the scale ("modcrop") and shrunk with MATLAB's
bicubic ``imresize``, which reproduces the published Set5/Set14/BSD100 x4 LR files bit
for bit. Files that cannot be read are reported by name and the others still processed;
the exit status is 1 when any file failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from srmodels.cli import CommandError

HELP = "crop to a multiple of the scale and downscale with MATLAB bicubic (writes <stem>.png)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", type=int, required=True, help="integer factor, e.g. 4")
    parser.add_argument("--out", required=True, type=Path, help="output directory (created)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="images processed in parallel (default: the number of CPUs)",
    )
    parser.add_argument(
        "--compress-level",
        type=int,
        default=6,
        choices=range(10),
        metavar="0-9",
        help="PNG zlib level; pixels are identical at every level (default 6)",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="HR images")


def _plan(files: list[Path], out_dir: Path) -> tuple[list[tuple[int, Path]], dict[int, str]]:
    """(position, output) of the inputs to process, and the positions refused up front:
    an output may neither replace one of the inputs nor another input's output."""
    jobs: list[tuple[int, Path]] = []
    refused: dict[int, str] = {}
    inputs = {source.resolve(): source for source in files}
    claimed: dict[Path, Path] = {}
    for position, source in enumerate(files):
        target = out_dir / f"{source.stem}.png"
        resolved = target.resolve()
        if resolved in inputs:
            refused[position] = (
                f"the output {target} would overwrite the input {inputs[resolved]}; "
                "use another --out"
            )
        elif resolved in claimed:
            refused[position] = f"same output name as {claimed[resolved]} ({target}); rename one"
        else:
            claimed[resolved] = source
            jobs.append((position, target))
    return jobs, refused


def _downscale_one(source: Path, target: Path, scale: int, compress_level: int) -> None:
    from srmodels.imageio import load_image, save_png
    from srmodels.resize import imresize, modcrop

    image = load_image(source)
    try:
        cropped = modcrop(image, scale)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None
    save_png(target, imresize(cropped, 1.0 / scale), compress_level=compress_level)


def run(args: argparse.Namespace) -> int:
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from tqdm import tqdm

    if args.scale < 1:
        raise CommandError(f"--scale must be a positive integer, got {args.scale}")
    if args.workers is not None and args.workers < 1:
        raise CommandError(f"--workers must be at least 1, got {args.workers}")
    out_dir: Path = args.out
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandError(f"--out {out_dir} exists and is not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create --out {out_dir}: {exc.strerror or exc}") from None

    files: list[Path] = list(args.files)
    jobs, errors = _plan(files, out_dir)
    workers = args.workers or os.cpu_count() or 1
    # Threads suffice: PNG decoding/encoding and the NumPy resize release the GIL.
    with (
        ThreadPoolExecutor(max_workers=workers) as pool,
        tqdm(total=len(jobs), desc="downscale", unit="img", disable=None) as bar,
    ):
        futures = {
            pool.submit(
                _downscale_one, files[position], target, args.scale, args.compress_level
            ): position
            for position, target in jobs
        }
        for future in as_completed(futures):
            failure = future.exception()
            if failure is not None:
                if not isinstance(failure, ValueError | OSError):
                    raise failure
                errors[futures[future]] = str(failure)
            bar.update(1)

    for position in sorted(errors):  # report in the order given
        source, message = files[position], errors[position]
        prefix = "" if message.startswith(str(source)) else f"{source}: "
        print(f"error: {prefix}{message}", file=sys.stderr)
    written = len(files) - len(errors)
    print(f"wrote {written} of {len(files)} images to {out_dir}", file=sys.stderr)
    return 1 if errors else 0
