"""SRResNet training iterations/s: the project's trainer against a plain fp32 eager loop.

Usage::

    python bench/train.py                                   # CPU: precision auto, 5 steps each
    python bench/train.py --device cuda --iters 200 --precision bf16 --channels-last \\
        --compile --cuda-graphs                              # on a GPU

Both loops train the paper's SRResNet (x4, 16 blocks, 64 maps) with Adam on pixel MSE at
``--batch-size`` 16 crops of ``--crop`` 96 (LR 24x24), in the same process:

- *plain*: the loop a tutorial writes: fp32, eager, ``torch.optim.Adam`` without
  ``fused``, one fixed batch already on the device (so it pays nothing for data);
- *trainer*: ``srmodels.train.Trainer`` with the recipe ``srresnet-mse`` and the speed
  options given, on real crops of ``--data`` (default: synthetic images written to a
  temporary folder), cut by the DeviceBatcher on CUDA or DataLoader workers on CPU.

Each is warmed up (``--warmup`` steps: cuDNN autotuning, compilation, graph capture)
and then timed over ``--iters`` steps ending with a device synchronisation. The script
prints the processor, its native bf16 capability (``amx_bf16`` / ``avx512_bf16``), what
``--precision auto`` chose, both rates and trainer / plain (targets: >= 8x on a CPU with
AMX, >= 3x on a GPU with the CUDA options).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--crop", type=int, default=96)
    parser.add_argument("--iters", type=int, default=5, help="timed steps per loop")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps per loop")
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto")
    parser.add_argument("--compile", nargs="?", const=True, default=False, metavar="MODE")
    parser.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--cuda-graphs", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--data", nargs="+", type=Path, help="HR folders (default: synthetic)")
    return parser.parse_args()


def synthetic_folder(folder: Path, count: int, side: int) -> Path:
    """``count`` random-texture PNGs of side ``side``: enough distinct images per batch."""
    import numpy as np

    from srmodels.imageio import save_png

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        image = rng.integers(0, 256, size=(side, side, 3), dtype=np.uint8)
        save_png(folder / f"img{i:03d}.png", image, compress_level=1)
    return folder


def sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def plain_loop(device, batch_size: int, crop: int, warmup: int, iters: int) -> float:
    """Iterations/s of the plain fp32 eager loop."""
    import torch
    import torch.nn.functional as F

    from srmodels.archs import SRResNet

    torch.manual_seed(0)
    model = SRResNet().to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.999))
    lr = torch.rand(batch_size, 3, crop // 4, crop // 4, device=device)
    hr = torch.rand(batch_size, 3, crop, crop, device=device) * 2 - 1

    def step() -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(lr), hr)
        loss.backward()
        opt.step()
        return loss

    for _ in range(warmup):
        step()
    sync(device)
    start = time.perf_counter()
    for _ in range(iters):
        loss = step()
    float(loss.detach())
    sync(device)
    return iters / (time.perf_counter() - start)


def trainer_loop(args: argparse.Namespace, data: list[Path], out: Path) -> tuple[float, str]:
    """Iterations/s of srmodels.train.Trainer with the speed options, and its description."""
    import torch

    from srmodels.recipes import get_recipe
    from srmodels.train import RunOptions, Trainer

    total = args.warmup + args.iters
    recipe = get_recipe("srresnet-mse").override(
        batch_size=args.batch_size, crop=args.crop, iters=total
    )
    options = RunOptions(
        data=data,
        out=out,
        device=args.device,
        precision=args.precision,
        compile=args.compile,
        channels_last=args.channels_last,
        cuda_graphs=args.cuda_graphs,
        workers=args.workers,
    )
    torch.manual_seed(0)
    trainer = Trainer(recipe, options)
    batches = trainer.batches(0, total)
    for _ in range(args.warmup):
        terms = trainer.train_step(next(batches))
    float(terms["content"])
    sync(trainer.device)
    start = time.perf_counter()
    for _ in range(args.iters):
        terms = trainer.train_step(next(batches))
    float(terms["content"])
    sync(trainer.device)
    rate = args.iters / (time.perf_counter() - start)
    flags = [f"{trainer.execution.precision} ({trainer.execution.reason})"]
    if trainer.channels_last:
        flags.append("channels-last")
    if args.compile:
        flags.append("compile" if args.compile is True else f"compile={args.compile}")
    if args.cuda_graphs:
        flags.append("cuda-graphs" if not trainer._graph_failed else "cuda-graphs FAILED")
    flags.append("data on device" if trainer.data_on_device else "DataLoader")
    return rate, ", ".join(flags)


def main() -> int:
    args = parse_args()
    import torch

    from srmodels.hardware import hardware, native_bf16, resolve_device

    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    args.device = str(device)
    print(f"device: {hardware(device)}; torch {torch.__version__}")
    if device.type == "cpu":
        print(f"CPU native bf16: {native_bf16() or 'none'}")
    print(
        f"SRResNet x4 training, batch {args.batch_size}, HR crop {args.crop}, "
        f"{args.iters} timed steps after {args.warmup} warm-up steps"
    )
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        data = args.data or [
            synthetic_folder(Path(tmp) / "hr", count=max(32, 2 * args.batch_size), side=128)
        ]
        plain = plain_loop(device, args.batch_size, args.crop, args.warmup, args.iters)
        print(f"plain fp32 eager loop:   {plain:9.2f} it/s")
        rate, flags = trainer_loop(args, data, Path(tmp) / "run")
        print(f"srmodels trainer:        {rate:9.2f} it/s  ({flags})")
    print(f"ratio trainer / plain:   {rate / plain:9.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
