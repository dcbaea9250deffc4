"""``python -m srmodels train``: train a recipe of the paper (or a baseline) on HR folders.

Examples::

    python -m srmodels train --recipe srresnet-mse --data ../shared/datasets/train/* \\
        --out runs/srresnet --val ../shared/datasets/benchmarks/Set5/x4 --val-every 5000
    python -m srmodels train --recipe srgan-vgg54 --data DIR --out runs/srgan \\
        --init runs/srresnet/checkpoint.pt --vgg-weights vgg19-dcbb9e9d.pth --export srgan-vgg54
    python -m srmodels train --resume runs/srgan/checkpoint.pt

Every recipe number has a flag (``--iters``, ``--batch-size``, ``--crop``, ``--lr``) or goes
through ``--set FIELD=VALUE`` (``--set adv_weight=1e-3``, ``--set arch.num_blocks=8``);
``--list`` prints the recipes with their numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from srmodels.cli import CommandError

if TYPE_CHECKING:
    from srmodels.recipes import Recipe
    from srmodels.train import Resumed, RunOptions

HELP = "train a model of the paper (or a baseline) on folders of HR images"
RECIPE_NAMES = (
    "srresnet-mse",
    "srresnet-vgg22",
    "srgan-mse",
    "srgan-vgg22",
    "srgan-vgg54",
    "srcnn",
    "espcn",
    "drcn",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _what_arguments(parser.add_argument_group("what to train"))
    _output_arguments(parser.add_argument_group("validation, logs, export"))
    _speed_arguments(parser.add_argument_group("speed"))


def _what_arguments(what: argparse._ArgumentGroup) -> None:
    what.add_argument("--recipe", choices=RECIPE_NAMES, help="the model and its losses")
    what.add_argument("--data", nargs="+", type=Path, metavar="DIR", help="folders of HR images")
    what.add_argument("--out", type=Path, help="run folder: checkpoint.pt, log.csv")
    what.add_argument("--iters", type=int, help="updates (paper: 1e6 SRResNet, 2e5 SRGAN)")
    what.add_argument("--batch-size", type=int, help="crops per batch, distinct images (16)")
    what.add_argument("--crop", type=int, help="HR crop side (96)")
    what.add_argument("--lr", type=float, help="initial learning rate (1e-4)")
    what.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="any other recipe field (adv_weight, tv_weight, lr_milestones, beta1, augment, "
        "...), arch.ARG or disc.ARG; repeatable",
    )
    what.add_argument(
        "--init",
        help="start G from an SRResNet checkpoint or weights file (SRGAN recipes; 'none' to "
        "start from scratch)",
    )
    what.add_argument("--resume", type=Path, help="continue a run from its checkpoint.pt")
    what.add_argument(
        "--vgg-weights", type=Path, help="torchvision vgg19-dcbb9e9d.pth (VGG recipes)"
    )
    what.add_argument("--seed", type=int, default=None, help="which crops (default 0)")
    what.add_argument("--list", action="store_true", help="print the recipes and exit")


def _output_arguments(out: argparse._ArgumentGroup) -> None:
    out.add_argument(
        "--val",
        nargs="+",
        type=Path,
        default=None,
        metavar="DIR",
        help="folders of HR images for validation PSNR",
    )
    out.add_argument(
        "--holdout",
        type=int,
        default=None,
        metavar="N",
        help="hold N images of the first --data folder out of training and validate on them",
    )
    out.add_argument(
        "--val-every",
        type=int,
        default=None,
        help="validate every N steps (and at the end; default: at the end)",
    )
    out.add_argument("--save-every", type=int, default=None, help="checkpoint every N steps (1000)")
    out.add_argument("--keep-checkpoints", action="store_true", help="also keep checkpoint-STEP.pt")
    out.add_argument("--log-every", type=int, default=None, help="CSV row every N steps (10)")
    out.add_argument(
        "--export",
        type=Path,
        metavar="STEM",
        help="write STEM.safetensors (fp16) + STEM.json at the end",
    )
    out.add_argument(
        "--bench",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="with --export: measure the exported weights on a benchmark folder (the "
        "upscale + evaluate path) and record it in the JSON; repeatable",
    )
    out.add_argument(
        "--measure",
        type=Path,
        metavar="STEM",
        help="no training: measure the weights STEM on the --bench folders and record the "
        "figures in STEM.json",
    )
    out.add_argument("--time-limit", type=float, help="stop after this many seconds")
    out.add_argument("--quiet", action="store_true", help="no progress bar")


def _speed_arguments(speed: argparse._ArgumentGroup) -> None:
    speed.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    speed.add_argument(
        "--precision",
        choices=("auto", "fp32", "bf16"),
        default="auto",
        help="auto: bf16 + channels-last on a CPU with native bf16 (AMX, AVX512-BF16), fp32 "
        "+ channels-last on other CPUs, fp32 on CUDA; fp32 forces exact fp32",
    )
    speed.add_argument(
        "--compile",
        nargs="?",
        const=True,
        default=False,
        metavar="MODE",
        help="torch.compile the networks (optional mode)",
    )
    speed.add_argument(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="NHWC tensors (default: as --precision auto decides)",
    )
    speed.add_argument(
        "--cuda-graphs", action="store_true", help="replay each step as a CUDA graph"
    )
    speed.add_argument("--workers", type=int, help="DataLoader worker processes")
    speed.add_argument(
        "--dataloader",
        action="store_true",
        help="on CUDA, load crops with DataLoader workers instead of keeping every image on "
        "the GPU (for folders too large for its memory)",
    )
    speed.add_argument("--threads", type=int, help="torch CPU threads")


def _pairs(items: list[str], option: str) -> dict[str, str]:
    parsed = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"{option} {item!r} must look like NAME=VALUE")
        parsed[key.strip()] = value.strip()
    return parsed


def _print_recipes() -> None:
    from srmodels.recipes import RECIPES

    for recipe in RECIPES.values():
        fields = recipe.to_dict()
        fields.pop("description")
        print(f"{recipe.name}: {recipe.description}")
        print("  " + ", ".join(f"{k}={v}" for k, v in fields.items() if k != "name"))


def _measure(args: argparse.Namespace) -> int:
    from srmodels.registry import MissingWeightsError, UnknownMethodError
    from srmodels.train import TrainError, record_metrics
    from srmodels.weights import WeightsError

    benchmarks = _pairs(args.bench, "--bench")
    if not benchmarks:
        raise CommandError("--measure needs at least one --bench NAME=DIR")
    for name, folder in benchmarks.items():
        if not Path(folder).is_dir():
            raise CommandError(f"--bench {name}={folder}: not a folder")
    try:
        measured = record_metrics(
            args.measure,
            benchmarks={k: Path(v) for k, v in benchmarks.items()},
            device=args.device,
        )
    except (WeightsError, TrainError, MissingWeightsError, UnknownMethodError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    print(json.dumps(measured, indent=2))
    return 0


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    overrides: dict[str, object] = {**_pairs(args.set, "--set")}
    for field in ("iters", "batch_size", "crop", "lr"):
        if getattr(args, field) is not None:
            overrides[field] = getattr(args, field)
    return overrides


def _start(args: argparse.Namespace, overrides: dict[str, object]) -> tuple[Recipe, Resumed | None]:
    """The recipe to train, and the checkpoint it continues (``--resume``) or None."""
    from srmodels.recipes import get_recipe
    from srmodels.train import resume_run

    if args.resume is not None:
        resumed = resume_run(args.resume, recipe_name=args.recipe, overrides=overrides)
        return resumed.recipe, resumed
    if not args.recipe:
        raise CommandError("--recipe is required (or --resume CHECKPOINT)")
    if not args.data:
        raise CommandError("--data DIR [DIR ...] is required")
    if args.out is None:
        raise CommandError("--out RUN_DIR is required")
    return get_recipe(args.recipe).override(**overrides), None


def _run_options(args: argparse.Namespace, resumed: Resumed | None) -> RunOptions:
    """Run options from the command line; on ``--resume``, those not given are the saved ones."""
    from srmodels.train import RunOptions

    saved = resumed.saved if resumed else {}

    def option(name: str, default: int) -> int:
        given = getattr(args, name)
        value: int = given if given is not None else saved.get(name, default)
        return value

    export = args.export if args.export is not None else saved.get("export", None)
    bench = _pairs(args.bench, "--bench") if args.bench else saved.get("bench", {})
    if bench and export is None:
        raise CommandError("--bench measures exported weights: add --export STEM")
    if args.workers is not None and args.workers < 0:
        raise CommandError(f"--workers must be >= 0, got {args.workers}")
    out: Path = args.out or resumed.folder  # type: ignore[union-attr]  # _start checked
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out} exists and is not a folder")
    init = None if args.init is None or args.init.lower() == "none" else Path(args.init)
    return RunOptions(
        data=list(args.data or [Path(p) for p in saved.get("data", [])]),
        out=out,
        val=list(args.val if args.val is not None else [Path(p) for p in saved.get("val", [])]),
        val_every=int(option("val_every", 0)),
        holdout=int(option("holdout", 0)),
        save_every=int(option("save_every", 1000)),
        keep_checkpoints=args.keep_checkpoints or bool(saved.get("keep_checkpoints")),
        log_every=int(option("log_every", 10)),
        device=args.device,
        precision=args.precision,
        compile=args.compile,
        channels_last=args.channels_last,
        cuda_graphs=args.cuda_graphs,
        workers=args.workers,
        data_on_device=False if args.dataloader else None,
        seed=int(option("seed", 0)),
        init=init,
        vgg_weights=args.vgg_weights,
        export=Path(export) if export is not None else None,
        bench={k: Path(v) for k, v in bench.items()},
        progress=False if args.quiet else None,
        time_limit=args.time_limit,
    )


def run(args: argparse.Namespace) -> int:
    import torch

    from srmodels.archs.vgg import VGGWeightsError
    from srmodels.data import DataError
    from srmodels.imageio import ImageError
    from srmodels.recipes import RecipeError
    from srmodels.registry import UnknownMethodError
    from srmodels.train import Trainer, TrainError
    from srmodels.weights import WeightsError

    if args.list:
        _print_recipes()
        return 0
    if args.measure is not None:
        return _measure(args)
    if args.threads is not None:
        if args.threads < 1:
            raise CommandError(f"--threads must be >= 1, got {args.threads}")
        torch.set_num_threads(args.threads)
    try:
        recipe, resumed = _start(args, _overrides(args))
        if args.init is not None and args.init.lower() == "none" and recipe.needs_init:
            recipe = recipe.override(needs_init=False)
        options = _run_options(args, resumed)
        trainer = Trainer(recipe, options, resume=resumed.state if resumed else None)
        summary = trainer.fit()
    except (
        RecipeError,
        TrainError,
        DataError,
        ImageError,
        WeightsError,
        UnknownMethodError,
        VGGWeightsError,
    ) as exc:
        raise CommandError(str(exc)) from None
    except torch.cuda.OutOfMemoryError as exc:
        raise CommandError(
            f"out of GPU memory ({str(exc).splitlines()[0]}): lower --batch-size or --crop"
        ) from None
    print(json.dumps(summary, indent=2, default=str), file=sys.stdout)
    return 0
