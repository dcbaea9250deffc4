"""The inference engine: one object that turns LR images into upscaled images, fast.

Both the CLI (``python -m srmodels upscale``) and the Celery generation workers use
:class:`Upscaler`. It loads a method's network once (eval mode, under
``torch.inference_mode``), batches images of equal size, optionally runs under bf16/fp16
autocast with channels-last tensors and ``torch.compile`` on CUDA, and tiles images too
large for memory. Interpolation methods (``nearest``, ``bicubic``) go through the same
interface, so callers never special-case them.

``upscale_files`` keeps the accelerator busy: files are decoded (and, for Y-channel
models, bicubic-upsampled) by a thread pool ahead of the model, outputs are converted to
uint8 on the device, and PNG encoding runs in the same pool behind it. Pillow and NumPy
release the GIL in their heavy loops, so threads spread that work over all cores. A
per-file error (an unreadable image, a failed write) is recorded in ``failures`` and the
other files go on.

Tiling: an image larger than ``tile`` pixels on a side is cut into ``tile`` x ``tile``
windows that overlap by ``tile_overlap`` pixels of context on each side; each window
contributes only its centre, so every output pixel is computed with at least
``tile_overlap`` input pixels of real context around it, and seams are invisible (tiled
and untiled outputs agree within one grey level for the paper's networks). All windows
have the same size, so they are batched like whole images.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

import numpy as np
import torch

from srmodels.archs import build_arch
from srmodels.color import luma_unit, rgb2ycbcr, ycbcr2rgb
from srmodels.hardware import PRECISION_CHOICES, Execution, choose_execution, resolve_device
from srmodels.imageio import ImageError, load_image, save_png
from srmodels.registry import MethodSpec, find_weights, get_method
from srmodels.resize import imresize, upscale_nearest
from srmodels.typedefs import Float32Array, Float64Array, JSONDict, UInt8Array
from srmodels.weights import WeightsError, load_weights, sha256_file

# What a model is fed, and gives back, per image: uint8 HxWx3 for RGB models, float32
# HxW (Y / 255 in, Y x 255 out) for Y-channel models.
ModelArray = UInt8Array | Float32Array

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileFailure:
    """One input file that produced no output, and why (a one-line message)."""

    path: Path
    error: str


@dataclass
class _Item:
    """One image on its way through the pipeline.

    ``array`` is what the model sees for this image: uint8 HxWx3 for RGB models, float32
    HxW (Y / 255) for Y-channel models. ``chroma`` keeps the bicubic CbCr of Y models.
    """

    index: int
    array: ModelArray
    chroma: Float64Array | None = None
    path: Path | None = None


class Progress(Protocol):
    """The part of a tqdm bar the engine uses."""

    def update(self, n: int = 1) -> object: ...

    def close(self) -> None: ...


class Upscaler:
    """Upscales uint8 RGB images with one registry method.

    Args:
        method: a registry key (``"srresnet-mse"``, ``"bicubic"``, ...) or a MethodSpec.
        scale: the upscaling factor; model weights must have been trained for it.
        weights: an explicit weights file; default: the registry's search path.
        device: ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``;
            None reads ``SRMODELS_DEVICE`` (default auto).
        batch_size: images (or tiles) of equal size per forward pass.
        tile: largest input side fed to the network at once; None never tiles.
        tile_overlap: pixels of the network's input kept as context around each tile's
            centre; default 16 for networks fed the LR image, 32 for networks fed the
            bicubic-upsampled image (SRCNN, DRCN), i.e. 8 LR pixels.
        precision: ``"auto"`` (bf16 autocast + channels-last on a CPU with native bf16,
            fp32 + channels-last on other CPUs, fp32 on CUDA; see :mod:`srmodels.hardware`),
            ``"fp32"``, or ``"bf16"`` / ``"fp16"`` autocast.
        channels_last: NHWC memory format; None follows the precision choice.
        compile: ``torch.compile`` the network (True, or a mode name such as
            ``"max-autotune"``); pays off for long runs of equal-sized batches.
        workers: threads for decoding and PNG encoding; default: all CPUs.
    """

    def __init__(
        self,
        method: str | MethodSpec,
        *,
        scale: int = 4,
        weights: str | os.PathLike[str] | None = None,
        device: str | None = "auto",
        batch_size: int = 8,
        tile: int | None = None,
        tile_overlap: int | None = None,
        precision: str = "auto",
        channels_last: bool | None = None,
        compile: bool | str = False,
        workers: int | None = None,
    ) -> None:
        self.spec = method if isinstance(method, MethodSpec) else get_method(method)
        self.method = self.spec.key
        self.scale = _positive_int("scale", scale)
        self.batch_size = _positive_int("batch_size", batch_size)
        if tile_overlap is None:
            tile_overlap = 32 if self.spec.model_scale == 1 else 16
        self.tile_overlap = int(tile_overlap)
        if self.tile_overlap < 0:
            raise ValueError(f"tile_overlap must be >= 0, got {tile_overlap!r}")
        if tile is not None and int(tile) <= 2 * self.tile_overlap:
            raise ValueError(
                f"tile ({tile}) must be larger than twice tile_overlap ({self.tile_overlap})"
            )
        self.tile = None if tile is None else int(tile)
        self.workers = _positive_int("workers", workers) if workers is not None else _cpus()
        self.failures: list[FileFailure] = []
        self.compiled = False
        self.model: torch.nn.Module | None = None
        self.weights_path: Path | None = None
        self.weights_meta: JSONDict = {}
        self.weights_checksum = ""
        if precision not in PRECISION_CHOICES:
            raise ValueError(
                f"precision must be one of {', '.join(PRECISION_CHOICES)}, got {precision!r}"
            )
        if not self.spec.needs_weights:
            if weights is not None:
                raise ValueError(f"method {self.method!r} is an interpolation and takes no weights")
            self.execution: Execution = choose_execution("fp32", torch.device("cpu"))
            self.device, self.precision, self.channels_last = "cpu", "fp32", False
            return
        self.execution = choose_execution(
            precision,
            resolve_device(device),
            channels_last=channels_last,
            pinned_fp32=self.spec.fp32_pin,
        )
        self.device = str(self.execution.device)
        self.precision = self.execution.precision
        self.channels_last = self.execution.channels_last
        log.info("%s: %s on %s", self.method, self.execution.reason, self.describe()["hardware"])
        self.weights_path = find_weights(self.method, weights)
        assert self.weights_path is not None  # a method with a network has a weights file
        self.model = self._load_model(self.weights_path)
        self.weights_checksum = sha256_file(self.weights_path)
        self._forward: Callable[[torch.Tensor], torch.Tensor] = self.model
        self.compiled = bool(compile)
        if compile:
            mode = compile if isinstance(compile, str) else None
            # dynamic=False: one specialised graph per input shape (few: batches are
            # padded to batch_size), faster than a shape-generic graph.
            self._forward = torch.compile(self.model, mode=mode, dynamic=False)

    def describe(self) -> dict[str, object]:
        """Device, processor, precision and why: recorded in a generation job's provenance."""
        return self.execution.describe()

    def __repr__(self) -> str:
        return (
            f"Upscaler(method={self.method!r}, scale={self.scale}, device={self.device!r}, "
            f"precision={self.precision!r}, batch_size={self.batch_size}, tile={self.tile})"
        )

    # -- loading ---------------------------------------------------------------------

    def _load_model(self, path: Path) -> torch.nn.Module:
        state, meta = load_weights(path)
        spec = self.spec
        if meta.get("method", spec.key) != spec.key:
            raise WeightsError(
                f"weights file {path} holds method {meta['method']!r}, not {spec.key!r}: "
                f"its outputs would be mislabelled (pass the file with --method {meta['method']})"
            )
        if meta["arch"] != spec.arch:
            raise WeightsError(
                f"weights file {path} holds a {meta['arch']!r} network, but method "
                f"{spec.key!r} needs {spec.arch!r}"
            )
        args: JSONDict = dict(meta["arch_args"])
        trained_scale = meta.get("scale", args.get("scale"))
        if trained_scale is not None and int(trained_scale) != self.scale:
            raise WeightsError(
                f"weights file {path} was trained for x{trained_scale}, "
                f"but x{self.scale} was asked for {spec.key!r}"
            )
        channels = args.get("channels", args.get("in_channels", 3 if spec.apply == "rgb" else 1))
        expected = 3 if spec.apply == "rgb" else 1
        if int(cast(int, channels)) != expected:
            raise WeightsError(
                f"weights file {path} has {channels} input channel(s), but method {spec.key!r} "
                f"runs on {'RGB' if expected == 3 else 'the Y channel'} ({expected})"
            )
        try:
            model = build_arch(spec.arch, **args)
        except ValueError as exc:
            raise WeightsError(f"weights file {path}: {exc}") from exc
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            first = str(exc).splitlines()[:3]
            raise WeightsError(
                f"weights file {path} does not fit {spec.arch}({args}): {' '.join(first)}"
            ) from exc
        model.eval().requires_grad_(False).to(self.device)
        if self.channels_last:
            # Module.to takes memory_format at run time; torch's stubs do not list it.
            model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
        self.weights_meta = meta
        return model

    # -- the model stage -------------------------------------------------------------

    def _autocast(self) -> contextlib.AbstractContextManager[None]:
        return self.execution.autocast()

    def run_model(self, batch: torch.Tensor) -> torch.Tensor:
        """The raw network output for an NCHW batch already on ``device``, in the input range.

        The model stage alone, as benchmarks time it; callers normally use ``upscale``.
        """
        if self.model is None:
            raise TypeError(f"method {self.method!r} has no network")
        if self.channels_last:
            batch = batch.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), self._autocast():
            return self._forward(batch)

    def _to_tensor(self, arrays: Sequence[ModelArray]) -> torch.Tensor:
        """Stack same-sized arrays into an NCHW float batch in [0, 1] on the device.

        RGB images travel as uint8 (a quarter of the bytes) and are scaled on the device;
        NHWC uint8 permuted to NCHW is already channels-last in memory.
        """
        stacked = torch.from_numpy(np.stack(arrays))
        if self.device != "cpu":
            stacked = stacked.pin_memory().to(self.device, non_blocking=True)
        if stacked.dtype == torch.uint8:
            return stacked.permute(0, 3, 1, 2).float().div_(255.0)
        return stacked.unsqueeze(1)

    def _to_output(self, output: torch.Tensor) -> torch.Tensor:
        """Network output -> [0, 1]: RGB models as uint8 NHWC, Y models as float NHW (x255)."""
        low, high = self.spec.output_range
        unit = (output.float() - low) / (high - low)
        if self.spec.apply == "rgb":
            pixels = torch.floor(unit.clamp_(0.0, 1.0).mul_(255.0).add_(0.5))
            return pixels.to(torch.uint8).permute(0, 2, 3, 1).contiguous()
        return unit[:, 0].mul_(255.0)

    def _model_batch(self, arrays: Sequence[ModelArray]) -> list[ModelArray]:
        """Outputs (uint8 HxWx3 or float Y) of equal-sized model inputs, tiling if needed.

        When the accelerator runs out of memory, the batch is retried image by image in
        ever smaller tiles, so one oversized image never stops a generation job.
        """
        height, width = arrays[0].shape[:2]
        if self.tile is not None and max(height, width) > self.tile:
            return [self._tiled(array, self.tile) for array in arrays]
        try:
            return list(self._infer(arrays))
        except torch.OutOfMemoryError:
            if self.device == "cpu":
                raise
        return [self._tiled_after_oom(array) for array in arrays]

    def _tiled_after_oom(self, array: ModelArray) -> ModelArray:
        tile = max(array.shape[:2])
        while tile > 2 * self.tile_overlap + 16:
            tile = max(tile // 2, 2 * self.tile_overlap + 16)
            torch.cuda.empty_cache()
            log.warning("out of memory on %s: retrying in %d-pixel tiles", self.device, tile)
            try:
                return self._tiled(array, tile)
            except torch.OutOfMemoryError:
                continue
        raise torch.OutOfMemoryError(
            f"{self.method}: out of memory on {self.device} even in {tile}-pixel tiles"
        )

    def _infer(self, arrays: Sequence[ModelArray]) -> ModelArray:
        """One forward pass over equal-sized inputs; outputs as a NumPy batch.

        A compiled network is specialised to its input shapes, so a short last batch is
        padded to ``batch_size`` (repeating its last image) instead of compiling again.
        """
        count = len(arrays)
        if self.compiled and count < self.batch_size:
            arrays = [*arrays, *[arrays[-1]] * (self.batch_size - count)]
        with torch.inference_mode():
            out = self._to_output(self.run_model(self._to_tensor(arrays)))
            batch: ModelArray = out[:count].cpu().numpy()
            return batch

    def _tiled(self, array: ModelArray, tile: int) -> ModelArray:
        """One large input through the network window by window (see the module doc)."""
        factor = self.spec.model_scale or self.scale
        height, width = array.shape[:2]
        windows = [
            (rows, cols)
            for rows in _tile_spans(height, tile, self.tile_overlap)
            for cols in _tile_spans(width, tile, self.tile_overlap)
        ]
        canvas: ModelArray | None = None
        for start in range(0, len(windows), self.batch_size):
            chunk = windows[start : start + self.batch_size]
            crops = [array[r[0] : r[1], c[0] : c[1]] for r, c in chunk]
            outs = self._infer(crops)
            if canvas is None:
                canvas = np.empty((height * factor, width * factor, *outs.shape[3:]), outs.dtype)
            for ((r0, _r1, rc0, rc1), (c0, _c1, cc0, cc1)), out in zip(chunk, outs, strict=True):
                canvas[rc0 * factor : rc1 * factor, cc0 * factor : cc1 * factor] = out[
                    (rc0 - r0) * factor : (rc1 - r0) * factor,
                    (cc0 - c0) * factor : (cc1 - c0) * factor,
                ]
        assert canvas is not None
        return canvas

    # -- per-image preparation and finishing (run in worker threads) -----------------

    def _prepare(self, index: int, image: UInt8Array, path: Path | None = None) -> _Item:
        if self.spec.apply in ("interpolation", "rgb"):
            return _Item(index, image, path=path)
        bicubic = imresize(image, self.scale)
        ycc_up = rgb2ycbcr(bicubic)
        luma = ycc_up[..., 0] if self.spec.apply == "y-upsampled" else rgb2ycbcr(image)[..., 0]
        y = (luma / 255.0).astype(np.float32)
        return _Item(index, y, chroma=ycc_up[..., 1:], path=path)

    def _interpolate(self, image: UInt8Array) -> UInt8Array:
        if self.method == "nearest":
            return upscale_nearest(image, self.scale)
        return imresize(image, self.scale)

    def _finish(self, item: _Item, output: ModelArray) -> UInt8Array:
        if item.chroma is None:
            return cast(UInt8Array, output)  # an RGB model's output
        ycc = np.concatenate([output[..., None].astype(np.float64), item.chroma], axis=2)
        return np.floor(ycbcr2rgb(ycc) + 0.5).astype(np.uint8)

    # -- public API ------------------------------------------------------------------

    def upscale(self, images: Sequence[UInt8Array]) -> list[UInt8Array]:
        """Upscaled uint8 HxWx3 images, in input order, for uint8 HxWx3 RGB inputs."""
        for index, image in enumerate(images):
            _check_image(image, f"image {index}")
        if self.model is None:
            return [self._interpolate(image) for image in images]
        items = [self._prepare(index, image) for index, image in enumerate(images)]
        results: list[UInt8Array | None] = [None] * len(items)
        for batch in _batches_by_shape(items, self.batch_size):
            outputs = self._model_batch([item.array for item in batch])
            for item, output in zip(batch, outputs, strict=True):
                results[item.index] = self._finish(item, output)
        return results  # type: ignore[return-value]

    def upscale_files(
        self,
        inputs: Sequence[str | os.PathLike[str]],
        out_dir: str | os.PathLike[str],
        *,
        progress: bool | None = True,
        compress_level: int = 6,
    ) -> list[Path]:
        """Upscale image files into ``out_dir/<stem>.png``; returns the written paths.

        Files that cannot be read or written, and files whose output name another input
        already claims, are skipped and recorded with the reason in ``self.failures``
        (reset on each call); the rest are processed. The returned paths are in
        completion order. ``progress=None`` shows the bar only on a terminal.
        """
        if not 0 <= int(compress_level) <= 9:
            raise ValueError(f"compress_level must be 0..9, got {compress_level}")
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths, self.failures = _plan_outputs([Path(p) for p in inputs], out_dir)
        for failure in self.failures:
            log.info("skipped %s", failure.error)
        bar = _progress(len(paths), self.method, enabled=progress)
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="srmodels-io")
        try:
            written = self._pipeline(paths, out_dir, pool, bar, compress_level)
        except BaseException:
            # Ctrl-C or a model error: drop the queued decodes instead of waiting on them.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            bar.close()
        pool.shutdown(wait=True)
        return written

    def _pipeline(
        self,
        paths: Sequence[Path],
        out_dir: Path,
        pool: ThreadPoolExecutor,
        bar: Progress,
        compress_level: int,
    ) -> list[Path]:
        """Decode ahead -> batches of equal size through the model -> finish and save behind."""
        lookahead = max(4 * self.batch_size, 2 * self.workers)
        written: list[Path] = []
        saves: deque[tuple[Path, Future[Path]]] = deque()

        def save(image: UInt8Array, target: Path) -> Path:
            save_png(target, image, compress_level=compress_level)
            return target

        def harvest(block_above: int) -> None:
            # Collect finished writes; block on the oldest when too many are queued, so
            # upscaled images never pile up in memory.
            while saves and (len(saves) > block_above or saves[0][1].done()):
                source, future = saves.popleft()
                try:
                    written.append(future.result())
                except (ImageError, OSError, ValueError) as exc:
                    self._fail(source, exc)
                bar.update(1)

        def emit(item: _Item, output: ModelArray | None) -> None:
            assert item.path is not None
            target = out_dir / f"{item.path.stem}.png"
            if output is None:
                # Interpolation methods keep the decoded uint8 image as the item's array.
                image = cast(UInt8Array, item.array)
                job = pool.submit(lambda: save(self._interpolate(image), target))
            else:
                job = pool.submit(lambda: save(self._finish(item, output), target))
            saves.append((item.path, job))
            harvest(block_above=lookahead)

        def run(batch: list[_Item]) -> None:
            for start in range(0, len(batch), self.batch_size):
                chunk = batch[start : start + self.batch_size]
                outputs = self._model_batch([item.array for item in chunk])
                for item, output in zip(chunk, outputs, strict=True):
                    emit(item, output)

        buckets: dict[tuple[int, ...], list[_Item]] = {}
        held = 0
        for item in self._decoded(paths, pool, lookahead, bar):
            if self.model is None:
                emit(item, None)
                continue
            bucket = buckets.setdefault(item.array.shape, [])
            bucket.append(item)
            held += 1
            if len(bucket) >= self.batch_size:
                run(buckets.pop(item.array.shape))
                held -= len(bucket)
            elif held >= lookahead:  # many sizes in flight: run the fullest, bound memory
                fullest = buckets.pop(max(buckets, key=lambda shape: len(buckets[shape])))
                run(fullest)
                held -= len(fullest)
        for batch in buckets.values():
            run(batch)
        harvest(block_above=0)
        return written

    def _decoded(
        self, paths: Sequence[Path], pool: ThreadPoolExecutor, lookahead: int, bar: Progress
    ) -> Iterator[_Item]:
        """Prepared items in input order, decoded ``lookahead`` files ahead by the pool."""

        def load(index: int, path: Path) -> _Item:
            return self._prepare(index, load_image(path), path)

        pending: deque[tuple[Path, Future[_Item]]] = deque()
        queue = iter(enumerate(paths))
        for index, path in queue:
            pending.append((path, pool.submit(load, index, path)))
            if len(pending) >= lookahead:
                break
        while pending:
            path, future = pending.popleft()
            for index, following in queue:
                pending.append((following, pool.submit(load, index, following)))
                break
            try:
                yield future.result()
            except (ImageError, OSError, ValueError) as exc:
                self._fail(path, exc)
                bar.update(1)

    def _fail(self, path: Path, exc: BaseException) -> None:
        message = str(exc) if str(path) in str(exc) else f"{path}: {exc}"
        self.failures.append(FileFailure(path=path, error=message))
        log.info("skipped %s", message)


def network_input(image: UInt8Array, *, method: str | MethodSpec, scale: int) -> Float32Array:
    """What a method's network is fed for an LR uint8 RGB image: float32 CxHxW in [0, 1].

    RGB networks: the LR image / 255. ``y-upsampled``: Y (MATLAB ``rgb2ycbcr``, unrounded)
    of the MATLAB-bicubic x``scale`` image (uint8, as the ``bicubic`` method outputs it),
    / 255. ``y-lr``: Y of the LR image / 255. Training uses this to build exactly the
    inputs the engine will feed at inference.
    """
    spec = method if isinstance(method, MethodSpec) else get_method(method)
    _check_image(image, "image")
    if spec.apply == "interpolation":
        raise ValueError(f"method {spec.key!r} is an interpolation and has no network")
    if spec.apply == "rgb":
        return (image.astype(np.float32) / 255.0).transpose(2, 0, 1).copy()
    source = imresize(image, scale) if spec.apply == "y-upsampled" else image
    return _y_unit(source)


def network_target(hr: UInt8Array, *, method: str | MethodSpec) -> Float32Array:
    """The output a method's network should produce for an HR uint8 RGB image (float32 CxHxW).

    RGB networks: HR in the method's output range (SRResNet/SRGAN: [-1, 1]). Y networks:
    Y (MATLAB ``rgb2ycbcr``, unrounded) / 255.
    """
    spec = method if isinstance(method, MethodSpec) else get_method(method)
    _check_image(hr, "image")
    if spec.apply == "interpolation":
        raise ValueError(f"method {spec.key!r} is an interpolation and has no network")
    if spec.apply == "rgb":
        low, high = spec.output_range
        unit = hr.astype(np.float32) / 255.0
        return (unit * (high - low) + low).transpose(2, 0, 1).copy()
    return _y_unit(hr)


def _y_unit(image: UInt8Array) -> Float32Array:
    """1 x H x W float32: Y / 255 (unrounded) of a uint8 RGB image."""
    unit = image.astype(np.float64) / 255.0
    return luma_unit(unit[..., 0], unit[..., 1], unit[..., 2]).astype(np.float32)[None]


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _check_image(image: object, what: str) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise ValueError(f"{what} must be a uint8 numpy array, got {type(image).__name__}")
    if image.ndim != 3 or image.shape[2] != 3 or 0 in image.shape:
        raise ValueError(f"{what} must be HxWx3 RGB, got shape {image.shape}")


def _plan_outputs(paths: Sequence[Path], out_dir: Path) -> tuple[list[Path], list[FileFailure]]:
    """The inputs to process, and those refused up front (name clash, would overwrite)."""
    accepted: list[Path] = []
    refused: list[FileFailure] = []
    claimed: dict[Path, Path] = {}
    for path in paths:
        target = out_dir / f"{path.stem}.png"
        if target in claimed:
            refused.append(
                FileFailure(path, f"{path}: same output name as {claimed[target]} ({target})")
            )
        elif path.exists() and target.exists() and os.path.samefile(path, target):
            refused.append(
                FileFailure(path, f"{path}: the output {target} would overwrite the input")
            )
        else:
            claimed[target] = path
            accepted.append(path)
    return accepted, refused


def _batches_by_shape(items: Sequence[_Item], batch_size: int) -> Iterator[list[_Item]]:
    groups: dict[tuple[int, ...], list[_Item]] = {}
    for item in items:
        groups.setdefault(item.array.shape, []).append(item)
    for group in groups.values():
        for start in range(0, len(group), batch_size):
            yield group[start : start + batch_size]


def _tile_spans(length: int, tile: int, overlap: int) -> list[tuple[int, int, int, int]]:
    """Windows along one axis: (window start, window end, centre start, centre end).

    Centres partition [0, length); each window is ``tile`` long (or the whole axis),
    contains its centre plus up to ``overlap`` pixels of context on each side, and is
    shifted inside the image at the borders, so every window has the same size.
    """
    if length <= tile:
        return [(0, length, 0, length)]
    step = tile - 2 * overlap
    spans = []
    for centre in range(0, length, step):
        end = min(centre + step, length)
        start = min(max(centre - overlap, 0), length - tile)
        spans.append((start, start + tile, centre, end))
    return spans


def _progress(total: int, desc: str, *, enabled: bool | None) -> Progress:
    from tqdm import tqdm

    disable = None if enabled is None else not enabled
    bar: Progress = tqdm(total=total, desc=desc, unit="img", disable=disable, dynamic_ncols=True)
    return bar
