"""``python -m srmodels evaluate``: PSNR, SSIM and daala SSIM of SR images against HR.

Files are paired by name through two patterns with a ``{name}`` placeholder, e.g.
``--hr-pattern '{name}_SRF_4_HR.png' --sr-pattern '{name}_SRF_4_bicubic.png'``. Metrics use
the literature's conventions (Y of MATLAB rgb2ycbcr rounded, border = scale; see
``srmodels.metrics``). Images are evaluated in a thread pool. Unpaired files, size
mismatches and unreadable images are reported by name and skipped; the exit status is 1
when nothing could be evaluated (or, with ``--strict``, when anything was skipped).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import cast

from srmodels.cli import CommandError

HELP = "PSNR / SSIM / daala SSIM of SR images against HR images, paired by name"
METRICS = ("psnr", "ssim", "ssim_daala")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hr", required=True, type=Path, help="directory of HR images")
    parser.add_argument("--sr", required=True, type=Path, help="directory of SR images")
    parser.add_argument("--scale", type=int, required=True, help="SR factor = border cropped")
    parser.add_argument(
        "--hr-pattern", default="{name}.png", help="HR file names (default '{name}.png')"
    )
    parser.add_argument(
        "--sr-pattern", default="{name}.png", help="SR file names (default '{name}.png')"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"images": [{"name", "psnr", "ssim", "ssim_daala"}], "mean": {...}, '
        '"skipped": [{"name", "reason"}]}; an infinite PSNR (identical images) is null',
    )
    parser.add_argument(
        "--grey-full-range",
        action="store_true",
        help="compare images whose HR file is greyscale on full-range grey values "
        "(MATLAB rgb2gray) instead of 16..235 Y, as Huang et al. and the SRGAN paper did: "
        "needed to reproduce their Set14 figures (bicubic 25.993 dB instead of 26.087)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if any image was skipped"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="parallel evaluations (default: CPUs)"
    )


def pattern_regex(pattern: str, option: str) -> re.Pattern[str]:
    """A regex matching the file names of ``pattern``; ``{name}`` captures the pair key."""
    if pattern.count("{name}") != 1:
        raise CommandError(f"{option} {pattern!r} must contain the placeholder {{name}} once")
    if "/" in pattern or os.sep in pattern:
        raise CommandError(f"{option} {pattern!r} must be a file name, without directories")
    prefix, suffix = pattern.split("{name}")
    return re.compile(re.escape(prefix) + r"(?P<name>.+)" + re.escape(suffix))


def collect(directory: Path, pattern: str, option: str) -> dict[str, Path]:
    """``{name: path}`` of the files in ``directory`` whose names match ``pattern``."""
    if not directory.is_dir():
        raise CommandError(f"{directory} is not a directory")
    regex = pattern_regex(pattern, option)
    found: dict[str, Path] = {}
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith("."):  # hidden and in-progress temporary files
            continue
        match = regex.fullmatch(entry.name)
        if match and entry.is_file():
            found[match["name"]] = entry
    return found


def _evaluate_one(
    sr_path: Path, hr_path: Path, scale: int, grey_full_range: bool
) -> dict[str, float]:
    from srmodels.imageio import is_greyscale_file, load_image
    from srmodels.metrics import evaluate_pair

    hr = load_image(hr_path)
    sr = load_image(sr_path)
    grey = grey_full_range and is_greyscale_file(hr_path)
    try:
        return evaluate_pair(sr, hr, scale=scale, grey=grey)
    except ValueError as exc:
        raise ValueError(f"{exc} ({sr_path} vs {hr_path})") from None


# One image's name and metrics.
Row = dict[str, str | float]


def _mean(rows: list[Row]) -> dict[str, float]:
    return {key: math.fsum(cast(float, row[key]) for row in rows) / len(rows) for key in METRICS}


def _json_number(value: float) -> float | None:
    return None if math.isinf(value) else value


def _table(rows: list[Row], mean: dict[str, float] | None) -> str:
    label = f"mean ({len(rows)} images)"
    width = max([len(str(row["name"])) for row in rows] + [len(label), 4])
    lines = [f"{'name':<{width}}  {'psnr':>8}  {'ssim':>6}  {'ssim_daala':>10}"]
    for row in [*rows, None] if mean else rows:
        if row is None:
            assert mean is not None  # the closing row is there only with a mean
            lines.append("-" * len(lines[0]))
            row = {"name": label, **mean}
        lines.append(
            f"{row['name']:<{width}}  {row['psnr']:>8.4f}  {row['ssim']:>6.4f}  "
            f"{row['ssim_daala']:>10.4f}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm

    if args.scale < 1:
        raise CommandError(f"--scale must be a positive integer, got {args.scale}")
    if args.workers is not None and args.workers < 1:
        raise CommandError(f"--workers must be at least 1, got {args.workers}")
    hr_files = collect(args.hr, args.hr_pattern, "--hr-pattern")
    sr_files = collect(args.sr, args.sr_pattern, "--sr-pattern")
    if not hr_files:
        raise CommandError(f"no file in {args.hr} matches --hr-pattern {args.hr_pattern!r}")
    if not sr_files:
        raise CommandError(f"no file in {args.sr} matches --sr-pattern {args.sr_pattern!r}")

    skipped: dict[str, str] = {}
    for name in sorted(hr_files.keys() - sr_files.keys()):
        skipped[name] = f"no SR image {args.sr / args.sr_pattern.replace('{name}', name)}"
    for name in sorted(sr_files.keys() - hr_files.keys()):
        skipped[name] = f"no HR image {args.hr / args.hr_pattern.replace('{name}', name)}"
    names = sorted(hr_files.keys() & sr_files.keys())

    results: dict[str, dict[str, float]] = {}
    workers = args.workers or os.cpu_count() or 1
    # Threads: Pillow decoding and NumPy array arithmetic release the GIL, and threads
    # start instantly (BSD100 takes a few seconds on two cores).
    with (
        ThreadPoolExecutor(max_workers=workers) as pool,
        tqdm(total=len(names), desc="evaluate", unit="img", disable=None) as bar,
    ):
        futures = {
            name: pool.submit(
                _evaluate_one, sr_files[name], hr_files[name], args.scale, args.grey_full_range
            )
            for name in names
        }
        for name, future in futures.items():
            try:
                results[name] = future.result()
            except ValueError as exc:  # ImageError is a ValueError
                skipped[name] = str(exc)
            bar.update(1)

    rows: list[Row] = [{"name": name, **results[name]} for name in names if name in results]
    mean = _mean(rows) if rows else None
    for name in sorted(skipped):
        print(f"skipped {name}: {skipped[name]}", file=sys.stderr)
    if args.json:
        document = {
            "images": [
                {
                    key: _json_number(cast(float, v)) if key in METRICS else v
                    for key, v in row.items()
                }
                for row in rows
            ],
            "mean": {key: _json_number(v) for key, v in mean.items()} if mean else None,
            "skipped": [{"name": name, "reason": skipped[name]} for name in sorted(skipped)],
        }
        print(json.dumps(document, indent=2, allow_nan=False))
    elif rows:
        print(_table(rows, mean))
    print(
        f"evaluated {len(rows)} image(s) at scale {args.scale}"
        + (f", skipped {len(skipped)}" if skipped else ""),
        file=sys.stderr,
    )
    if not rows:
        print("error: no image could be evaluated", file=sys.stderr)
        return 1
    return 1 if args.strict and skipped else 0
