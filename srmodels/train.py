"""The trainer behind ``python -m srmodels train``: one loop for every recipe.

What a run does, step by step (one step = one update of the generator, and of the
discriminator for GAN recipes):

1. take batch ``step`` of the :class:`~srmodels.data.BatchPlan` (16 crops of distinct
   images by default), from DataLoader workers, or cut on the GPU by a
   :class:`~srmodels.data.DeviceBatcher` when training on CUDA;
2. turn it into the network's input and target exactly as the inference engine applies
   the method (registry ``apply``): LR RGB -> HR RGB in [-1, 1] for SRResNet/SRGAN, Y of
   the bicubic image -> Y for SRCNN/DRCN, Y of the LR image -> Y for ESPCN;
3. update G on the recipe's loss; for GAN recipes then update D, written out as BasicSR's
   ``SRGANModel.optimize_parameters`` (D frozen during G's step, D trained on the real
   batch then on the detached fake batch, both backward passes accumulating).

Everything a run needs to continue is in ``RUN_DIR/checkpoint.pt`` (recipe, model args
and weights, optimiser states, step, RNG states, data options, elapsed time), written
atomically every ``save_every`` steps and at the end. Because batches are a pure
function of (seed, step) and the state is complete, ``--resume`` continues exactly: on
CPU the resumed run logs the same losses as an uninterrupted one.

``RUN_DIR/log.csv`` gets one row every ``log_every`` steps (the weighted loss terms and
the lr) and one per validation (``val_psnr``: mean PSNR, Y channel, border = scale, of
the engine's output on a folder of HR images and their MATLAB-bicubic LR).

On CUDA, ``precision="bf16"`` runs the forward passes under bf16 autocast (losses in
fp32), ``channels_last`` uses NHWC tensors, ``compile`` wraps the networks in
``torch.compile``, ``cuda_graphs`` captures the whole step (forward, backward, Adam) in
one CUDA graph replayed every step, and Adam is the fused implementation. On CPU the
defaults are plain fp32 eager.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import math
import os
import random
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TypedDict, cast, overload

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from srmodels.archs import Discriminator, build_arch
from srmodels.archs.vgg import VGG19_FILE, VGG19_URL, WEIGHTS_ENV, VGG19Features, vgg19_setting
from srmodels.color import luma_unit
from srmodels.data import (
    BatchPlan,
    DeviceBatcher,
    HRCropDataset,
    PlanSampler,
    holdout_images,
    list_images,
)
from srmodels.hardware import DeviceError, Execution, choose_execution, hardware, resolve_device
from srmodels.losses import (
    VGG_LAYERS,
    DiscriminatorLoss,
    GeneratorAdversarialLoss,
    PerceptualLoss,
    PixelLoss,
    RecursiveSupervisionLoss,
    TVLoss,
    VGGContentLoss,
)
from srmodels.recipes import Recipe
from srmodels.typedefs import JSONDict, UInt8Array
from srmodels.weights import load_weights, save_weights, weights_paths

log = logging.getLogger(__name__)

CHECKPOINT_KIND = "srmodels-train-checkpoint"
CHECKPOINT_VERSION = 1
# What a training run may ask for; "auto" resolves per device (srmodels.hardware).
PRECISIONS = ("auto", "fp32", "bf16")


class TrainError(ValueError):
    """A training run that cannot start or continue; the message says what to change."""


@dataclass
class RunOptions:
    """Where and how a run executes; nothing here changes what the networks learn,
    except ``seed`` (which batches) and ``init`` (where G starts)."""

    data: list[Path]
    out: Path
    val: list[Path] = field(default_factory=list)
    val_every: int = 0
    holdout: int = 0
    save_every: int = 1000
    keep_checkpoints: bool = False
    log_every: int = 10
    device: str = "auto"
    precision: str = "auto"
    compile: bool | str = False
    channels_last: bool | None = None
    cuda_graphs: bool = False
    workers: int | None = None
    data_on_device: bool | None = None
    seed: int = 0
    init: Path | None = None
    vgg_weights: Path | None = None
    export: Path | None = None
    bench: dict[str, Path] = field(default_factory=dict)
    progress: bool | None = None
    time_limit: float | None = None

    def to_dict(self) -> JSONDict:
        return {
            "data": [str(p) for p in self.data],
            "val": [str(p) for p in self.val],
            "seed": self.seed,
            "holdout": self.holdout,
            "init": str(self.init) if self.init else None,
            "precision": self.precision,
            "log_every": self.log_every,
            "save_every": self.save_every,
            "val_every": self.val_every,
            "keep_checkpoints": self.keep_checkpoints,
            "export": str(self.export) if self.export else None,
            "bench": {name: str(path) for name, path in self.bench.items()},
        }


def luma(rgb_unit: torch.Tensor) -> torch.Tensor:
    """Y / 255 of MATLAB ``rgb2ycbcr`` for an N x 3 x H x W batch in [0, 1] (unrounded,
    as the engine feeds Y-channel networks: the same :func:`srmodels.color.luma_unit`)."""
    return luma_unit(rgb_unit[:, 0:1], rgb_unit[:, 1:2], rgb_unit[:, 2:3])


def _atomic_torch_save(obj: JSONDict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        torch.save(obj, name)
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)


def load_checkpoint(path: str | Path) -> JSONDict:
    """A checkpoint written by the trainer; TrainError naming the file otherwise."""
    path = Path(path)
    if path.is_dir():
        path = path / "checkpoint.pt"
    if not path.is_file():
        raise TrainError(f"checkpoint {path} does not exist")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise TrainError(f"cannot read checkpoint {path}: {exc}") from None
    if not isinstance(state, dict) or state.get("kind") != CHECKPOINT_KIND:
        raise TrainError(f"{path} is not an srmodels training checkpoint")
    return state


@dataclass(frozen=True)
class Resumed:
    """A checkpoint to continue: its state, its recipe (with the allowed overrides applied),
    the run options it recorded and its run folder."""

    state: JSONDict
    recipe: Recipe
    saved: JSONDict
    folder: Path


def resume_run(
    path: str | Path,
    *,
    recipe_name: str | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Resumed:
    """Load ``path`` (a checkpoint or its run folder) to continue it.

    Optimisation numbers may change (``iters``, ``lr``, ``lr_milestones``, ...); the
    networks may not (``arch.*``, ``disc.*``, ``crop``), and ``recipe_name``, when given,
    must be the checkpoint's. Raises TrainError saying which.
    """
    path = Path(path)
    state = load_checkpoint(path)
    recipe = Recipe.from_dict(state["recipe"])
    if recipe_name and recipe_name != recipe.name:
        raise TrainError(f"--resume {path} is a {recipe.name} run, not {recipe_name}")
    overrides = dict(overrides or {})
    model_fields = {k for k in overrides if k.startswith(("arch.", "disc.")) or k == "crop"}
    if model_fields:
        raise TrainError(
            "--resume continues the checkpoint's networks; "
            f"{', '.join(sorted(model_fields))} cannot change"
        )
    folder = path.resolve() if path.is_dir() else path.resolve().parent
    return Resumed(state, recipe.override(**overrides), dict(state.get("options", {})), folder)


class _Forward(Protocol):
    """A network's call, or its ``torch.compile`` wrapper's."""

    def __call__(self, x: torch.Tensor, /) -> torch.Tensor: ...


class _GeneratorForward(Protocol):
    """The generator's call; DRCN's also gives its intermediate predictions."""

    @overload
    def __call__(self, x: torch.Tensor, /) -> torch.Tensor: ...

    @overload
    def __call__(
        self, x: torch.Tensor, /, *, intermediates: Literal[True]
    ) -> tuple[torch.Tensor, list[torch.Tensor]]: ...


class _GraphState(TypedDict, total=False):
    """What the CUDA-graph step keeps between steps: the warm-up side stream and count,
    then the captured graph's static input, target and loss terms."""

    stream: torch.cuda.Stream
    warm: int
    inp: torch.Tensor
    target: torch.Tensor
    terms: dict[str, torch.Tensor]


class _AdamOptions(TypedDict, total=False):
    betas: tuple[float, float]
    weight_decay: float
    fused: bool
    capturable: bool


def _arch_args(net: nn.Module) -> Mapping[str, object]:
    """The constructor arguments every srmodels network records (``nn.Module`` does not
    declare the attribute, so its type is named here)."""
    return cast("Mapping[str, object]", net.arch_args)


def _vgg_weights_path(explicit: Path | None) -> Path:
    """The VGG19 file to use: explicit, the setting, or torch.hub's cache; never a download."""
    if explicit is not None:
        return Path(explicit)
    setting = vgg19_setting()
    if setting is not None:
        return setting
    cached = Path(torch.hub.get_dir()) / "checkpoints" / VGG19_FILE
    if cached.is_file():
        return cached
    raise TrainError(
        f"VGG-based recipes need torchvision's VGG19 ImageNet weights ({VGG19_FILE}, from "
        f"{VGG19_URL}): pass --vgg-weights PATH or set {WEIGHTS_ENV}"
    )


class Trainer:
    """One training run of ``recipe`` (see the module doc).

    ``vgg`` injects a ready VGG19 extractor (tests and benchmarks use random weights);
    otherwise VGG recipes load ``options.vgg_weights``. ``resume`` is a loaded checkpoint.
    """

    def __init__(
        self,
        recipe: Recipe,
        options: RunOptions,
        *,
        vgg: VGG19Features | None = None,
        resume: JSONDict | None = None,
    ) -> None:
        self.recipe = recipe
        self.options = options
        self.spec = recipe.spec
        self.execution = _execution(options)
        self.device = self.execution.device
        self.cuda = self.device.type == "cuda"
        _check_options(options, recipe, cuda=self.cuda)
        if self.cuda:
            # Fixed shapes every step: let cuDNN pick its fastest kernels once; TF32 for
            # the fp32 matmuls (the discriminator's dense layers).
            torch.backends.cudnn.benchmark = True
            torch.set_float32_matmul_precision("high")
        log.info("%s: %s on %s", recipe.name, self.execution.reason, hardware(self.device))
        self.scale = recipe.scale
        self.step = 0
        self.elapsed = 0.0
        # Earlier sittings of a resumed run: where each ran (a run may move machines).
        self.sittings: list[JSONDict] = []
        self._sitting_start = (0, 0.0)
        self.metrics: JSONDict = {}

        self._build_networks(resume)
        self._build_losses(vgg)
        self.opt_g = self._adam(self.generator.parameters(), recipe.lr)
        self.opt_d = (
            self._adam(self.discriminator.parameters(), recipe.d_lr or recipe.lr)
            if self.discriminator is not None
            else None
        )
        self._build_callables()
        if resume is not None:
            self._restore(resume)

        # -- data --------------------------------------------------------------------
        self.held_out = holdout_images(options.data, options.holdout)
        self.dataset = HRCropDataset(
            options.data,
            exclude=self.held_out,
            crop=recipe.crop,
            scale=self.scale,
            augment=recipe.augment,
            bicubic=self.spec.apply == "y-upsampled",
        )
        self.plan = BatchPlan(len(self.dataset), recipe.batch_size, options.seed)
        on_device = options.data_on_device
        self.data_on_device = self.cuda if on_device is None else bool(on_device)
        self._val_images: list[tuple[UInt8Array, UInt8Array]] | None = None

    @property
    def channels_last(self) -> bool:
        return self.execution.channels_last

    def _build_networks(self, resume: JSONDict | None) -> None:
        """G (from the registry's arch, ``--init`` or the checkpoint) and, for GANs, D."""
        recipe, options = self.recipe, self.options
        gen_args = recipe.generator_args
        init_state = None
        self.init_source: str | None = None
        if resume is None and options.init is not None:
            init_state, init_args, self.init_source = _load_init(options.init, recipe)
            conflicts = {k: v for k, v in recipe.arch_args.items() if init_args.get(k, v) != v}
            if conflicts:
                raise TrainError(
                    f"--init {options.init} has arch args {init_args}, which conflict with "
                    f"the requested {conflicts}"
                )
            gen_args = {**gen_args, **init_args}
        elif resume is None and recipe.needs_init:
            raise TrainError(
                f"recipe {recipe.name} starts from a trained SRResNet-MSE (the paper's "
                "initialisation): pass --init with its checkpoint or weights file, "
                "or --init none to train from scratch"
            )
        if resume is not None:
            gen_args = dict(resume["generator"]["arch_args"])
        self.gen_args = gen_args
        self.generator = build_arch(recipe.arch, **gen_args).to(self.device)
        if init_state is not None:
            _load_state(self.generator, init_state, f"--init {options.init}")
        self.discriminator: Discriminator | None = None
        if recipe.gan:
            disc_args: JSONDict = {**dict(recipe.disc_args), "input_size": recipe.crop}
            if resume is not None and resume.get("discriminator"):
                disc_args = dict(resume["discriminator"]["arch_args"])
            self.discriminator = Discriminator(**disc_args).to(self.device)
        if self.channels_last:
            for net in self._networks():
                # Module.to takes memory_format at run time; torch's stubs do not list it.
                net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def _build_losses(self, vgg: VGG19Features | None) -> None:
        recipe = self.recipe
        self.drcn_loss = RecursiveSupervisionLoss() if recipe.arch == "drcn" else None
        if recipe.content == "mse":
            content: nn.Module = PixelLoss()
        else:
            if vgg is None:
                vgg = VGG19Features(
                    layers=(VGG_LAYERS[recipe.content],),
                    weights=_vgg_weights_path(self.options.vgg_weights),
                )
            content = VGGContentLoss(
                recipe.content,
                rescale=recipe.vgg_rescale,
                input_range=self.spec.output_range,
                vgg=vgg,
            )
        self.loss = PerceptualLoss(
            content,
            adversarial=GeneratorAdversarialLoss(recipe.adv_weight) if recipe.gan else None,
            tv=TVLoss(recipe.tv_weight) if recipe.tv_weight else None,
        ).to(self.device)
        if self.channels_last and recipe.content != "mse":
            self.loss.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
        self.d_loss = DiscriminatorLoss()
        self.term_names = (
            ("content", "supervision") if self.drcn_loss is not None else self.loss.term_names
        )
        if recipe.gan:
            self.term_names = (*self.term_names, "d_real", "d_fake")

    def _build_callables(self) -> None:
        """The forward callables: the networks, or their ``torch.compile`` wrappers."""
        options = self.options
        self._compiled_untried = bool(options.compile)
        self._g_forward: _GeneratorForward = self.generator
        self._d_forward: _Forward | None = self.discriminator
        if options.compile:
            mode = options.compile if isinstance(options.compile, str) else None
            self._g_forward = cast("_GeneratorForward", torch.compile(self.generator, mode=mode))
            if self.discriminator is not None:
                self._d_forward = torch.compile(self.discriminator, mode=mode)
        self._graph: torch.cuda.CUDAGraph | None = None
        self._graph_failed = False
        self._static: _GraphState = {}
        self._lr_set: dict[str, float] = {}

    # -- construction helpers -------------------------------------------------------

    def _networks(self) -> list[nn.Module]:
        return [n for n in (self.generator, self.discriminator) if n is not None]

    def _adam(self, params: Iterator[nn.Parameter], lr: float) -> torch.optim.Adam:
        kwargs: _AdamOptions = {
            "betas": (self.recipe.beta1, self.recipe.beta2),
            "weight_decay": self.recipe.weight_decay,
        }
        if self.cuda:
            kwargs["fused"] = True
            if self.options.cuda_graphs:
                # A tensor lr lets the captured graph see the milestone drops.
                kwargs["capturable"] = True
                lr = torch.tensor(lr, device=self.device)  # type: ignore[assignment]
        return torch.optim.Adam(params, lr=lr, **kwargs)

    def _restore(self, state: JSONDict) -> None:
        _load_state(self.generator, state["generator"]["state"], "the checkpoint's generator")
        self.opt_g.load_state_dict(state["optimizers"]["g"])
        if self.discriminator is not None:
            _load_state(self.discriminator, state["discriminator"]["state"], "the checkpoint's D")
            assert self.opt_d is not None
            self.opt_d.load_state_dict(state["optimizers"]["d"])
        if self.options.cuda_graphs:
            # load_state_dict brings back the saved float lr; graphs need the tensor one.
            for opt in (self.opt_g, self.opt_d):
                for group in opt.param_groups if opt is not None else ():
                    group["lr"] = torch.tensor(float(group["lr"]), device=self.device)
        self.step = int(state["step"])
        self.elapsed = float(state.get("elapsed", 0.0))
        self.sittings = _past_sittings(state)
        self._sitting_start = (self.step, self.elapsed)
        self.metrics = dict(state.get("metrics", {}))
        self.init_source = state.get("init")
        rng = state.get("rng", {})
        if "torch" in rng:
            torch.set_rng_state(rng["torch"])
        if self.cuda and rng.get("cuda"):
            torch.cuda.set_rng_state_all(rng["cuda"])
        if "numpy" in rng:
            kind, keys, pos, has_gauss, cached = rng["numpy"]
            np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
        if "python" in rng:
            random.setstate(cast("tuple[object, ...]", _to_tuple(rng["python"])))

    # -- inputs and targets -------------------------------------------------------------

    def prepare(self, batch: Mapping[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """(network input, target in the network's output range) of a data batch."""
        batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}
        apply = self.spec.apply
        low, high = self.spec.output_range
        if apply == "rgb":
            target = batch["hr"]
            if (low, high) != (-1.0, 1.0):
                target = low + (high - low) * (target + 1.0) * 0.5
            inp = batch["lr"]
        else:
            target = luma((batch["hr"] + 1.0) * 0.5)
            inp = luma(batch["bicubic"] if apply == "y-upsampled" else batch["lr"])
        if self.channels_last:
            inp = inp.contiguous(memory_format=torch.channels_last)
            target = target.contiguous(memory_format=torch.channels_last)
        return inp, target

    def batches(self, start: int, stop: int) -> Iterator[dict[str, torch.Tensor]]:
        """Batches ``start .. stop - 1`` of the plan."""
        if self.data_on_device:
            batcher = DeviceBatcher(self.dataset, self.device)
            for step in range(start, stop):
                yield batcher.batch(self.plan.batch(step))
            return
        workers = self.options.workers
        if workers is None:
            workers = min(4, max(0, (os.cpu_count() or 1) - 1))
        loader = torch.utils.data.DataLoader(
            self.dataset,
            batch_sampler=PlanSampler(self.plan, start, stop),
            num_workers=workers,
            pin_memory=self.cuda,
            prefetch_factor=4 if workers else None,
        )
        yield from loader

    # -- one step --------------------------------------------------------------------

    def _autocast(self) -> contextlib.AbstractContextManager[None]:
        # Cached casts of the weights would be stale inside a replayed CUDA graph.
        return self.execution.autocast(cache_enabled=not self.options.cuda_graphs)

    def _step_body(self, inp: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        """One update of G (and D): BasicSR's ``optimize_parameters``, written out."""
        D = self.discriminator
        d_forward = self._d_forward  # None exactly when D is
        # optimize net_g
        if D is not None:
            D.requires_grad_(False)
        self.opt_g.zero_grad(set_to_none=True)
        with self._autocast():
            if self.drcn_loss is not None:
                output, intermediates = self._g_forward(inp, intermediates=True)
                alpha = self.recipe.supervision_alpha(self.step)
                l_g_total, terms = self.drcn_loss(output, intermediates, target, alpha)
            else:
                output = self._g_forward(inp)
                fake_g_pred = d_forward(output) if d_forward is not None else None
                l_g_total, terms = self.loss(output, target, fake_g_pred)
        l_g_total.backward()
        self.opt_g.step()
        logged = {name: value.detach() for name, value in terms.items()}
        if D is None:
            return logged
        # optimize net_d
        assert self.opt_d is not None
        assert d_forward is not None
        D.requires_grad_(True)
        self.opt_d.zero_grad(set_to_none=True)
        with self._autocast():
            real_d_pred = d_forward(target)
            l_d_real = self.d_loss.real(real_d_pred)
        l_d_real.backward()
        with self._autocast():
            fake_d_pred = d_forward(output.detach())
            l_d_fake = self.d_loss.fake(fake_d_pred)
        l_d_fake.backward()
        self.opt_d.step()
        logged["d_real"] = l_d_real.detach()
        logged["d_fake"] = l_d_fake.detach()
        return logged

    def _set_lr(self) -> None:
        for key, opt, base in (
            ("g", self.opt_g, self.recipe.lr),
            ("d", self.opt_d, self.recipe.d_lr),
        ):
            if opt is None:
                continue
            value = self.recipe.lr_at(self.step, base if base is not None else self.recipe.lr)
            if self._lr_set.get(key) == value:
                continue  # reading a tensor lr back would synchronise with the GPU every step
            for group in opt.param_groups:
                if isinstance(group["lr"], torch.Tensor):
                    group["lr"].fill_(value)
                else:
                    group["lr"] = value
            self._lr_set[key] = value

    def train_step(self, batch: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """One update on ``batch``; returns the weighted loss terms (detached tensors)."""
        self._set_lr()
        for net in self._networks():
            net.train()
        inp, target = self.prepare(batch)
        try:
            if self.options.cuda_graphs and not self._graph_failed:
                terms = self._graphed_step(inp, target)
            else:
                terms = self._step_body(inp, target)
        except Exception as exc:
            if not self._compiled_untried:
                raise
            # torch.compile fails at the first call when the toolchain is missing or
            # broken; that must not cost the run: train eagerly instead.
            log.warning("torch.compile failed (%s: %s); training eagerly", type(exc).__name__, exc)
            self._g_forward, self._d_forward = self.generator, self.discriminator
            self._compiled_untried = False
            self._static = {}
            return self.train_step(batch)
        self._compiled_untried = False
        self.step += 1
        return terms

    def _graphed_step(self, inp: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        """The step as a replayed CUDA graph; the first steps run eagerly on a side stream
        (warm-up: cuDNN autotuning, ``torch.compile``), then the graph is captured once."""
        warmup = 3
        static = self._static
        if self._graph is None and static.get("warm", 0) < warmup:
            stream = static.setdefault("stream", torch.cuda.Stream())
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                terms = self._step_body(inp, target)
            torch.cuda.current_stream().wait_stream(stream)
            static["warm"] = static.get("warm", 0) + 1
            return terms
        if self._graph is None:
            try:
                static["inp"], static["target"] = inp.clone(), target.clone()
                self.opt_g.zero_grad(set_to_none=True)
                if self.opt_d is not None:
                    self.opt_d.zero_grad(set_to_none=True)
                graph = torch.cuda.CUDAGraph()
                with torch.cuda.graph(graph):
                    static["terms"] = self._step_body(static["inp"], static["target"])
                self._graph = graph
            except Exception as exc:  # capture is best-effort: fall back to eager steps
                log.warning("CUDA graph capture failed (%s); continuing without graphs", exc)
                self._graph_failed = True
                self._static = {}
                torch.cuda.synchronize()
                return self._step_body(inp, target)
        static["inp"].copy_(inp)
        static["target"].copy_(target)
        self._graph.replay()
        return static["terms"]

    # -- validation, checkpoints, export ---------------------------------------------------

    def _export_stem(self, stem: Path, *, dtype: torch.dtype | None) -> tuple[Path, Path]:
        return save_weights(stem, self.generator, meta=self.weights_meta(), dtype=dtype)

    def validate(self) -> float | None:
        """Mean PSNR (Y, border = scale) of the engine's output on the validation folders.

        A folder in the benchmarks' layout (``*_HR.png`` + ``*_LR.png``) uses its LR files;
        any other folder is taken as HR images, downscaled here.
        """
        if not self.options.val and not self.held_out:
            return None
        from srmodels.engine import Upscaler
        from srmodels.imageio import load_image
        from srmodels.metrics import psnr
        from srmodels.resize import imresize, modcrop

        if self._val_images is None:
            pairs = []
            for folder in self.options.val:
                for _, lr_path, hr_path in _benchmark_pairs(Path(folder)):
                    hr = modcrop(load_image(hr_path), self.scale)
                    lr = (
                        load_image(lr_path)
                        if lr_path is not None
                        else imresize(hr, 1.0 / self.scale)
                    )
                    pairs.append((lr, hr))
            for hr_path in self.held_out:
                hr = modcrop(load_image(hr_path), self.scale)
                pairs.append((imresize(hr, 1.0 / self.scale), hr))
            self._val_images = pairs
        with tempfile.TemporaryDirectory(prefix="srmodels-val-") as tmp:
            stem = Path(tmp) / self.recipe.method
            self._export_stem(stem, dtype=None)
            upscaler = Upscaler(
                self.recipe.method,
                scale=self.scale,
                weights=stem.with_suffix(".safetensors"),
                device=str(self.device),
                batch_size=1,
                workers=1,
            )
            outputs = upscaler.upscale([lr for lr, _ in self._val_images])
        scores = [
            psnr(sr, hr, border=self.scale)
            for sr, (_, hr) in zip(outputs, self._val_images, strict=True)
        ]
        value = float(np.mean(scores))
        self.metrics["validation"] = {
            "psnr": round(value, 4),
            "images": len(scores),
            "folders": [str(p) for p in self.options.val],
            "held_out": [p.name for p in self.held_out],
            "step": self.step,
        }
        return value

    def checkpoint_state(self) -> JSONDict:
        def nets(net: nn.Module | None) -> JSONDict | None:
            if net is None:
                return None
            return {"arch_args": dict(_arch_args(net)), "state": net.state_dict()}

        np_state = cast(
            "tuple[str, npt.NDArray[np.uint32], int, int, float]", np.random.get_state()
        )
        return {
            "kind": CHECKPOINT_KIND,
            "version": CHECKPOINT_VERSION,
            "recipe": self.recipe.to_dict(),
            "method": self.recipe.method,
            "step": self.step,
            "elapsed": self.elapsed,
            "generator": {"arch": self.recipe.arch, **(nets(self.generator) or {})},
            "discriminator": nets(self.discriminator),
            "optimizers": {
                "g": _plain_lr(self.opt_g.state_dict()),
                "d": _plain_lr(self.opt_d.state_dict()) if self.opt_d else None,
            },
            "rng": {
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if self.cuda else [],
                "numpy": [
                    np_state[0],
                    torch.from_numpy(np_state[1].astype(np.int64)),
                    int(np_state[2]),
                    int(np_state[3]),
                    float(np_state[4]),
                ],
                "python": _to_lists(random.getstate()),
            },
            "options": self.options.to_dict(),
            "init": self.init_source,
            "hardware": hardware(self.device),
            "sittings": self.all_sittings(),
            "metrics": self.metrics,
        }

    def all_sittings(self) -> list[JSONDict]:
        """Every sitting of the run so far, this one last: steps, seconds, machine, precision."""
        first_step, first_elapsed = self._sitting_start
        current = {
            "from_step": first_step,
            "to_step": self.step,
            "time_s": round(self.elapsed - first_elapsed, 1),
            "hardware": hardware(self.device),
            **_execution_record(self.execution),
        }
        if self.sittings and first_step == self.step:
            return list(self.sittings)  # resumed only to export or measure: no new sitting
        return [*self.sittings, current]

    def save_checkpoint(self) -> Path:
        out = self.options.out
        path = out / "checkpoint.pt"
        state = self.checkpoint_state()
        _atomic_torch_save(state, path)
        if self.options.keep_checkpoints:
            _atomic_torch_save(state, out / f"checkpoint-{self.step:07d}.pt")
        return path

    def weights_meta(self) -> JSONDict:
        """The JSON stored beside exported weights: what, from which data, how, how well."""
        return {
            "method": self.recipe.method,
            "arch": self.recipe.arch,
            "arch_args": dict(_arch_args(self.generator)),
            "scale": self.scale,
            "recipe": self.recipe.to_dict(),
            "data": {**self.dataset.describe(), "seed": self.options.seed},
            "training": {
                "iterations": self.step,
                "batch_size": self.recipe.batch_size,
                "time_s": round(self.elapsed, 1),
                "hardware": hardware(self.device),
                "device": str(self.device),
                **_execution_record(self.execution),
                "compile": bool(self.options.compile),
                "cuda_graphs": bool(self.options.cuda_graphs and not self._graph_failed),
                "torch": torch.__version__,
                "init": self.init_source,
                "trainer": "python -m srmodels train",
                "sittings": self.all_sittings(),
            },
            "metrics": dict(self.metrics),
        }

    def export(self, stem: Path) -> tuple[Path, Path]:
        """fp16 safetensors + JSON that the registry and the engine load; with
        ``options.bench``, the benchmark figures of the exported file are added to both."""
        paths = self._export_stem(stem, dtype=torch.float16)
        if self.options.bench:
            measured = record_metrics(stem, benchmarks=self.options.bench, device=str(self.device))
            self.metrics.update(measured)
        return paths

    # -- the loop --------------------------------------------------------------------------

    def fit(self) -> JSONDict:
        """Train from ``self.step`` to ``recipe.iters``, or until ``time_limit`` seconds of
        this sitting have passed (a resumed run gets its own budget; the lr schedule still
        follows ``iters``); returns a summary."""
        from tqdm import tqdm

        options, recipe = self.options, self.recipe
        options.out.mkdir(parents=True, exist_ok=True)
        stop = recipe.iters
        log_path = options.out / "log.csv"
        columns = ["step", "elapsed_s", "lr", *self.term_names, "val_psnr"]
        writer = _CsvLog(log_path, columns, keep_through=self.step)
        bar = tqdm(
            total=stop,
            initial=self.step,
            desc=recipe.name,
            unit="it",
            disable=None if options.progress is None else not options.progress,
            dynamic_ncols=True,
        )
        started = time.perf_counter() - self.elapsed
        sitting = time.perf_counter()
        try:
            for batch in self.batches(self.step, stop):
                terms = self.train_step(batch)
                step = self.step
                if step % options.log_every == 0 or step == stop:
                    values = {name: float(v) for name, v in terms.items()}
                    if not all(math.isfinite(v) for v in values.values()):
                        raise TrainError(
                            f"the loss became {values} at step {step}: lower --lr "
                            f"(now {recipe.lr}) or resume from an earlier checkpoint"
                        )
                    self.elapsed = time.perf_counter() - started
                    writer.row(
                        step=step,
                        elapsed_s=round(self.elapsed, 3),
                        lr=self.opt_g.param_groups[0]["lr"],
                        **values,
                    )
                    bar.set_postfix({k: f"{v:.4g}" for k, v in values.items()}, refresh=False)
                bar.update(1)
                if options.val_every and step % options.val_every == 0 and step != stop:
                    self._validate_and_log(writer, started)
                if step % options.save_every == 0 and step != stop:
                    self.elapsed = time.perf_counter() - started
                    self.save_checkpoint()
                if (
                    options.time_limit is not None
                    and step < stop
                    and time.perf_counter() - sitting >= options.time_limit
                ):
                    log.warning("time limit reached at step %d of %d", step, stop)
                    break
        finally:
            bar.close()
        self.elapsed = time.perf_counter() - started
        if options.val or self.held_out:
            self._validate_and_log(writer, started)
        writer.close()
        checkpoint = self.save_checkpoint()
        summary: JSONDict = {
            "step": self.step,
            "elapsed_s": self.elapsed,
            "checkpoint": str(checkpoint),
            "log": str(log_path),
            "metrics": self.metrics,
        }
        if options.export is not None:
            summary["export"] = [str(p) for p in self.export(options.export)]
            summary["metrics"] = self.metrics
        return summary

    def _validate_and_log(self, writer: _CsvLog, started: float) -> None:
        value = self.validate()
        if value is not None:
            self.elapsed = time.perf_counter() - started
            writer.row(step=self.step, elapsed_s=round(self.elapsed, 3), val_psnr=round(value, 4))
            log.info("step %d: validation PSNR %.3f dB", self.step, value)


def _execution(options: RunOptions) -> Execution:
    if options.precision not in PRECISIONS:
        raise TrainError(
            f"precision must be one of {', '.join(PRECISIONS)}, got {options.precision!r}"
        )
    try:
        return choose_execution(
            options.precision, resolve_device(options.device), channels_last=options.channels_last
        )
    except DeviceError as exc:
        raise TrainError(str(exc)) from None


def _execution_record(execution: Execution) -> dict[str, object]:
    """The weights JSON's record of how the run computed (device and hardware are there)."""
    described = execution.describe()
    return {
        key: described[key]
        for key in ("precision", "channels_last", "precision_reason", "cpu_bf16")
    }


def _past_sittings(state: JSONDict) -> list[JSONDict]:
    """The sittings a checkpoint records; one written before sittings were kept counts
    as a single sitting on the machine it names."""
    if "sittings" in state:
        return [dict(sitting) for sitting in state["sittings"]]
    return [
        {
            "from_step": 0,
            "to_step": int(state["step"]),
            "time_s": round(float(state.get("elapsed", 0.0)), 1),
            "hardware": state.get("hardware", "unknown"),
        }
    ]


def _check_options(options: RunOptions, recipe: Recipe, *, cuda: bool) -> None:
    if options.cuda_graphs and not cuda:
        raise TrainError("--cuda-graphs needs a CUDA device")
    if options.cuda_graphs and recipe.supervision_decay:
        raise TrainError("--cuda-graphs cannot replay DRCN's changing supervision weight")
    for name in ("save_every", "log_every"):
        if getattr(options, name) < 1:
            raise TrainError(f"{name} must be >= 1")
    if options.val_every < 0:
        raise TrainError("val_every must be >= 0")


class _CsvLog:
    """``log.csv``: appended row by row and flushed; on resume, rows after the checkpoint's
    step (written by a run that went on after its last checkpoint) are dropped."""

    def __init__(self, path: Path, columns: Sequence[str], *, keep_through: int) -> None:
        self.columns = list(columns)
        rows: list[dict[str, str]] = []
        if keep_through and path.is_file():
            with path.open(newline="") as handle:
                reader = csv.DictReader(handle)
                if reader.fieldnames == self.columns:
                    rows = [r for r in reader if int(r["step"]) <= keep_through]
        self.handle = path.open("w", newline="")
        self.writer = csv.DictWriter(self.handle, fieldnames=self.columns)
        self.writer.writeheader()
        self.writer.writerows(rows)
        self.handle.flush()

    def row(self, **values: object) -> None:
        self.writer.writerow({k: ("" if v is None else v) for k, v in values.items()})
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


def _plain_lr(state: JSONDict) -> JSONDict:
    for group in state["param_groups"]:
        if isinstance(group.get("lr"), torch.Tensor):
            group["lr"] = float(group["lr"])
    return state


def _to_lists(value: object) -> object:
    return [_to_lists(v) for v in value] if isinstance(value, tuple | list) else value


def _to_tuple(value: object) -> object:
    return tuple(_to_tuple(v) for v in value) if isinstance(value, list) else value


def _load_state(net: nn.Module, state: Mapping[str, torch.Tensor], source: str) -> None:
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = " ".join(str(exc).splitlines()[:2])
        raise TrainError(f"{source} does not fit {type(net).__name__}: {first}") from None


def _load_init(path: Path, recipe: Recipe) -> tuple[dict[str, torch.Tensor], JSONDict, str]:
    """(state, arch args, description) of ``--init``: a checkpoint or a weights file."""
    path = Path(path)
    if path.suffix in (".safetensors", ".json"):
        from srmodels.weights import WeightsError

        try:
            state, meta = load_weights(path)
        except WeightsError as exc:
            raise TrainError(f"--init: {exc}") from None
        arch, args, what = meta["arch"], dict(meta["arch_args"]), meta.get("method", "?")
    else:
        checkpoint = load_checkpoint(path)
        gen = checkpoint["generator"]
        arch, args, state = gen["arch"], dict(gen["arch_args"]), gen["state"]
        what = checkpoint.get("method", "?")
    if arch != recipe.arch:
        raise TrainError(
            f"--init {path} holds a {arch!r} network ({what}); recipe {recipe.name} trains "
            f"{recipe.arch!r}"
        )
    return state, args, f"{path.name} ({what})"


def _benchmark_pairs(folder: Path) -> list[tuple[str, Path | None, Path]]:
    """(name, LR file or None, HR file) of a benchmark folder.

    The benchmarks' layout (``<name>_HR.png`` beside ``<name>_LR.png``) uses the published
    LR files; a plain folder of HR images gets its LR made here (MATLAB bicubic).
    """
    files = list_images([folder])
    hr = {p.name[: -len("_HR.png")]: p for p in files if p.name.endswith("_HR.png")}
    lr = {p.name[: -len("_LR.png")]: p for p in files if p.name.endswith("_LR.png")}
    if hr:
        return [(name, lr.get(name), path) for name, path in sorted(hr.items())]
    return [(p.stem, None, p) for p in files]


def measure_weights(
    weights: Path,
    *,
    method: str,
    benchmarks: Mapping[str, Path],
    scale: int,
    device: str = "auto",
    precision: str = "auto",
) -> dict[str, JSONDict]:
    """PSNR / SSIM / daala SSIM of weights on benchmark folders, by the upscale+evaluate path.

    The LR images go through :class:`srmodels.engine.Upscaler.upscale_files` (as
    ``python -m srmodels upscale`` does: PNG files written), the PNGs are read back and
    scored with :func:`srmodels.metrics.evaluate_pair` (as ``evaluate`` does).
    """
    from srmodels.engine import Upscaler
    from srmodels.imageio import load_image, save_png
    from srmodels.metrics import evaluate_pair
    from srmodels.resize import imresize, modcrop

    upscaler = Upscaler(method, scale=scale, weights=weights, device=device, precision=precision)
    results: dict[str, JSONDict] = {}
    for name, folder in benchmarks.items():
        pairs = _benchmark_pairs(Path(folder))
        with tempfile.TemporaryDirectory(prefix="srmodels-bench-") as tmp:
            lr_files = []
            for key, lr_path, hr_path in pairs:
                if lr_path is None:
                    lr_path = Path(tmp) / "lr" / f"{key}.png"
                    lr_path.parent.mkdir(exist_ok=True)
                    save_png(lr_path, imresize(modcrop(load_image(hr_path), scale), 1.0 / scale))
                lr_files.append(lr_path)
            out = Path(tmp) / "sr"
            upscaler.upscale_files(lr_files, out, progress=False)
            if upscaler.failures:
                raise TrainError(f"benchmark {name}: {upscaler.failures[0].error}")
            rows = [
                evaluate_pair(load_image(out / f"{lr.stem}.png"), load_image(hr), scale=scale)
                for lr, (_, _, hr) in zip(lr_files, pairs, strict=True)
            ]
        results[name] = {
            key: round(float(np.mean([row[key] for row in rows])), 4)
            for key in ("psnr", "ssim", "ssim_daala")
        } | {"images": len(rows), "folder": str(folder), "precision": upscaler.precision}
    return results


def record_metrics(
    stem: str | Path, *, benchmarks: Mapping[str, Path], device: str = "auto"
) -> dict[str, JSONDict]:
    """Measure weights on ``benchmarks`` (:func:`measure_weights`) and record the figures
    under ``metrics`` in their JSON (and safetensors header); returns the figures.

    The tensors are rewritten unchanged (fp16 -> fp32 -> fp16 is exact), so this can run
    long after training, e.g. on CPU for benchmarks that did not travel to the GPU.
    """
    tensor_path, _ = weights_paths(stem)
    state, meta = load_weights(tensor_path)
    measured = measure_weights(
        tensor_path,
        method=meta["method"],
        benchmarks=benchmarks,
        scale=int(meta.get("scale", meta["arch_args"].get("scale", 4))),
        device=device,
    )
    meta["metrics"] = {**meta.get("metrics", {}), **measured}
    save_weights(stem, state, meta=meta, dtype=_stored_float_dtype(tensor_path))
    return measured


def _stored_float_dtype(path: Path) -> torch.dtype | None:
    """torch.float16 when a safetensors file stores half floats (keep it so), else None."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        stored = {handle.get_slice(key).get_dtype() for key in handle.keys()}  # noqa: SIM118
    return torch.float16 if "F16" in stored else None
