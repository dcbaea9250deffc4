"""Inference speed: SRResNet x4 on BSD100-sized images, engine vs a naive per-image loop.

Prints images/s for

- ``naive``: for each file, load it, convert it, run the network in fp32 eager mode on
  one image, convert back, save the PNG (what a first script would do);
- ``engine``: ``srmodels.engine.Upscaler.upscale_files`` with the chosen settings
  (batching, thread pool for decoding and PNG encoding, ``--precision auto`` by default:
  bf16 autocast + channels-last on a CPU with native bf16, see srmodels.hardware;
  optionally torch.compile);
- ``model stage``: ``Upscaler.run_model`` alone on batches already on the device;
- ``png encode``: the encoder alone over the worker threads, the end-to-end bound;

and the engine/naive ratio, all measured in the same process on the same files. The
network has random weights (saved in the shipped fp16 format): speed does not depend on
the values, and this keeps the benchmark independent of trained weights.

Inputs are the BSD100 x4 LR files (120x80 and 80x120) from ``../shared/datasets`` when
present, else synthetic images of the same sizes. Defaults keep a CPU run short; on a
GPU run e.g.::

    python bench/inference.py --device cuda --images 1000 --batch-size 64 \\
        --precision fp16 --channels-last --compile --compress-level 1
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from srmodels.archs import SRResNet  # noqa: E402
from srmodels.engine import Upscaler  # noqa: E402
from srmodels.imageio import encode_png, load_image, save_png  # noqa: E402
from srmodels.weights import save_weights  # noqa: E402

DATASETS = Path(os.environ.get("SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
BSD100 = DATASETS / "benchmarks" / "BSD100" / "x4"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    parser.add_argument("--images", type=int, default=20, help="images per run (default 20)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16", "fp16"), default="auto")
    parser.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--compile", action="store_true", help="torch.compile the network")
    parser.add_argument("--compile-mode", default=None, help="e.g. max-autotune")
    parser.add_argument("--compress-level", type=int, default=6, help="PNG zlib level 0-9")
    parser.add_argument("--workers", type=int, default=None, help="I/O threads (all CPUs)")
    parser.add_argument(
        "--model-seconds", type=float, default=3.0, help="time spent timing the model stage"
    )
    parser.add_argument(
        "--naive-images", type=int, default=None, help="default: --images, at most 10 on CPU"
    )
    return parser.parse_args(argv)


def make_inputs(folder: Path, count: int) -> tuple[list[Path], str]:
    """``count`` LR files in ``folder``: BSD100's (cycled), or synthetic ones of its sizes."""
    folder.mkdir(parents=True)
    sources = sorted(BSD100.glob("*_LR.png")) if BSD100.is_dir() else []
    paths = []
    rng = np.random.default_rng(0)
    for i in range(count):
        path = folder / f"lr_{i:05d}.png"
        if sources:
            shutil.copyfile(sources[i % len(sources)], path)
        else:
            shape = (80, 120, 3) if i % 3 else (120, 80, 3)
            coarse = rng.uniform(0, 255, (shape[0] // 8, shape[1] // 8, 3))
            image = np.kron(coarse, np.ones((8, 8, 1))) + rng.normal(0, 6, shape)
            save_png(path, np.clip(image, 0, 255).astype(np.uint8))
        paths.append(path)
    origin = f"BSD100 x4 LR files from {BSD100}" if sources else "synthetic 120x80/80x120 images"
    return paths, origin


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def naive_loop(model: torch.nn.Module, paths: list[Path], out: Path, device: str) -> float:
    """Images/s of the straightforward per-image script, fp32 eager."""
    out.mkdir()
    start = time.perf_counter()
    with torch.inference_mode():
        for path in paths:
            image = load_image(path)
            x = torch.from_numpy(image).permute(2, 0, 1)[None].float().div(255).to(device)
            y = model(x)[0].clamp(-1, 1).add(1).mul(127.5).round().byte()
            save_png(out / f"{path.stem}.png", y.permute(1, 2, 0).cpu().numpy())
    sync(device)
    return len(paths) / (time.perf_counter() - start)


def model_stage(upscaler: Upscaler, batch_size: int, seconds: float) -> float:
    """Images/s of the network alone on device-resident 80x120 batches."""
    device = upscaler.device
    x = torch.rand(batch_size, 3, 80, 120, device=device)
    for _ in range(3):  # warm-up: cudnn autotuning, torch.compile
        upscaler.run_model(x)
    sync(device)
    runs, start = 0, time.perf_counter()
    while True:
        upscaler.run_model(x)
        runs += 1
        if runs % 4 == 0 or device == "cpu":
            sync(device)
            elapsed = time.perf_counter() - start
            if elapsed >= seconds and runs >= 2:
                return runs * batch_size / elapsed


def png_encode(outputs: list[Path], workers: int, level: int) -> float:
    """Images/s of PNG encoding alone of the engine's outputs over ``workers`` threads."""
    images = [load_image(p) for p in outputs[:64]]
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda image: encode_png(image, compress_level=level), images))
    return len(images) / (time.perf_counter() - start)


def max_difference(a: Path, b: Path) -> int:
    diffs = [
        int(np.abs(load_image(p).astype(int) - load_image(b / p.name).astype(int)).max())
        for p in sorted(a.iterdir())
    ]
    return max(diffs)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory(prefix="srmodels-bench-") as tmp:
        work = Path(tmp)
        paths, origin = make_inputs(work / "lr", args.images)
        model = SRResNet()
        weights, _ = save_weights(work / "srresnet-mse", model, meta={"method": "srresnet-mse"})
        upscaler = Upscaler(
            "srresnet-mse",
            weights=weights,
            device=args.device,
            batch_size=args.batch_size,
            precision=args.precision,
            channels_last=args.channels_last,
            compile=(args.compile_mode or True) if args.compile else False,
            workers=args.workers,
        )
        device = upscaler.device
        naive_model = SRResNet()
        naive_model.load_state_dict(upscaler.model.state_dict())
        naive_model.eval().to(device)
        described = upscaler.describe()
        print(
            f"machine: {described['hardware']} ({platform.machine()}), {upscaler.workers} "
            f"worker threads, torch {torch.__version__}, device {device}; "
            f"CPU native bf16: {described['cpu_bf16']}"
        )
        print(f"inputs: {len(paths)} {origin}; SRResNet x4 with random weights (speed only)")
        print(
            f"engine: batch {args.batch_size}, {upscaler.precision} "
            f"({described['precision_reason']}), channels_last={upscaler.channels_last}, "
            f"compile={args.compile}, png level {args.compress_level}"
        )

        # Warm-ups outside the timings: first CUDA calls, cudnn autotuning, compilation.
        warm = work / "warm"
        upscaler.upscale_files(paths[: 2 * args.batch_size], warm, progress=False)
        naive_loop(naive_model, paths[:2], work / "warm-naive", device)

        naive_count = args.naive_images or (len(paths) if device != "cpu" else min(len(paths), 10))
        naive_paths = paths[:naive_count]
        naive = naive_loop(naive_model, naive_paths, work / "naive", device)
        print(f"naive loop   : {naive:9.1f} images/s ({len(naive_paths)} images, png level 6)")

        start = time.perf_counter()
        written = upscaler.upscale_files(
            paths, work / "engine", progress=False, compress_level=args.compress_level
        )
        sync(device)
        engine = len(written) / (time.perf_counter() - start)
        print(f"engine       : {engine:9.1f} images/s ({len(written)} images)")
        print(f"ratio        : {engine / naive:9.2f} x the naive loop")

        stage = model_stage(upscaler, args.batch_size, args.model_seconds)
        print(f"model stage  : {stage:9.1f} images/s (batch {args.batch_size}, 80x120 LR)")
        encode = png_encode(written, upscaler.workers, args.compress_level)
        print(
            f"png encode   : {encode:9.1f} images/s (480x320, level {args.compress_level}, "
            f"{upscaler.workers} threads)"
        )
        worst = max_difference(work / "naive", work / "engine")
        print(
            f"engine vs naive outputs: max difference {worst} grey level(s) (random weights; "
            "the accuracy of trained weights under auto is in docs/PERFORMANCE.md)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
