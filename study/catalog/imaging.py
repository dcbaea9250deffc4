"""The pixel work of the imports, as plain functions a process pool can run.

Nothing here touches Django: a worker receives file paths or bytes and returns
PNG bytes, sizes, checksums and metrics (or an error message naming the file),
so the parent process alone writes storage and database rows. Each function
catches the errors an image can cause and returns them as text, because one bad
image must fail only itself.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

# PNG compression of stored images. Level 3 encodes in half the time of level 6
# (the encoder is a third of an import's cost) for files 3-10 % larger.
COMPRESS_LEVEL = 3


@dataclass(frozen=True)
class RenderedOutput:
    png: bytes
    checksum: str
    width: int
    height: int
    psnr: float | None
    ssim: float | None
    ssim_daala: float | None

    def fields(self) -> dict[str, object]:
        """The Output fields this rendering determines (the file name aside)."""
        return {
            "width": self.width,
            "height": self.height,
            "psnr": self.psnr,
            "ssim": self.ssim,
            "ssim_daala": self.ssim_daala,
            "checksum": self.checksum,
        }


@dataclass(frozen=True)
class SourceTask:
    name: str
    hr_path: str
    lr_path: str | None
    scale: int
    # The HR PNG already stored under this image name, and its checksum: when the new
    # HR has the same pixels and no output is wanted, the worker stops early.
    known_checksum: str | None = None
    known_png: bytes | None = None
    # Which generated outputs to make: a subset of ("nearest", "bicubic").
    outputs: tuple[str, ...] = ("nearest", "bicubic")
    # Larger images fail from their header size, undecoded (settings.IMAGE_MAX_PIXELS).
    max_pixels: int | None = None


@dataclass
class SourceResult:
    name: str
    error: str | None = None
    checksum: str = ""
    unchanged: bool = False
    hr_png: bytes = b""
    lr_png: bytes = b""
    width: int = 0
    height: int = 0
    lr_width: int = 0
    lr_height: int = 0
    outputs: dict[str, RenderedOutput] = field(default_factory=dict)


@dataclass(frozen=True)
class OutputTask:
    name: str
    path: str
    hr_png: bytes
    scale: int
    max_pixels: int | None = None


@dataclass
class OutputResult:
    name: str
    path: str
    error: str | None = None
    output: RenderedOutput | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _size(image: np.ndarray) -> str:
    return f"{image.shape[1]}x{image.shape[0]}"


def render_output(sr: np.ndarray, hr: np.ndarray | None, *, scale: int) -> RenderedOutput:
    """PNG bytes, checksum and PSNR / SSIM / daala SSIM of ``sr`` against ``hr`` (None: HR)."""
    from srmodels.imageio import encode_png
    from srmodels.metrics import evaluate_pair

    png = encode_png(sr, compress_level=COMPRESS_LEVEL)
    metrics = {"psnr": None, "ssim": None, "ssim_daala": None}
    if hr is not None:
        metrics = {key: float(value) for key, value in evaluate_pair(sr, hr, scale=scale).items()}
    return RenderedOutput(
        png=png,
        checksum=_sha256(png),
        width=int(sr.shape[1]),
        height=int(sr.shape[0]),
        psnr=metrics["psnr"],
        ssim=metrics["ssim"],
        ssim_daala=metrics["ssim_daala"],
    )


def prepare_source(task: SourceTask) -> SourceResult:
    """Mod-crop the HR image, get its LR (file or MATLAB bicubic), render the cheap outputs."""
    try:
        return _prepare_source(task)
    except Exception as exc:  # one image's failure must not end the import
        return SourceResult(name=task.name, error=_describe(exc))


def _prepare_source(task: SourceTask) -> SourceResult:
    from srmodels.imageio import decode_image, encode_png, load_image
    from srmodels.resize import imresize, modcrop, upscale_nearest

    hr = modcrop(load_image(task.hr_path, max_pixels=task.max_pixels), task.scale)
    if hr.shape[0] < task.scale or hr.shape[1] < task.scale:
        return SourceResult(
            name=task.name,
            error=f"{task.hr_path}: {_size(hr)} is smaller than the scale {task.scale}",
        )
    hr_png = encode_png(hr, compress_level=COMPRESS_LEVEL)
    checksum = _sha256(hr_png)
    height, width = int(hr.shape[0]), int(hr.shape[1])
    result = SourceResult(name=task.name, checksum=checksum, width=width, height=height)
    known = task.known_checksum is not None
    if known and task.known_checksum != checksum:
        # Same pixels may encode differently (another encoder version): compare pixels.
        stored = decode_image(task.known_png or b"", name=f"stored HR of {task.name}")
        if stored.shape != hr.shape or not np.array_equal(stored, hr):
            result.error = (
                f"{task.hr_path}: differs from the image already stored as {task.name!r} "
                "(import changed images under a new dataset name)"
            )
            return result
        result.checksum = task.known_checksum
    result.unchanged = known
    if known and not task.outputs:
        return result
    expected = (height // task.scale, width // task.scale)
    if task.lr_path is not None:
        lr = load_image(task.lr_path, max_pixels=task.max_pixels)
        if lr.shape[:2] != expected:
            result.error = (
                f"{task.lr_path}: LR is {_size(lr)}, expected {expected[1]}x{expected[0]} "
                f"(HR {width}x{height} / {task.scale})"
            )
            return result
    else:
        lr = imresize(hr, 1.0 / task.scale)
        if lr.shape[:2] != expected:  # defensive: imresize's rounding must match modcrop
            lr = imresize(hr, output_shape=expected)
    result.hr_png = hr_png
    result.lr_png = encode_png(lr, compress_level=COMPRESS_LEVEL)
    result.lr_height, result.lr_width = int(lr.shape[0]), int(lr.shape[1])
    for key in task.outputs:
        if key == "nearest":
            sr = upscale_nearest(lr, task.scale)
        elif key == "bicubic":
            sr = imresize(lr, output_shape=(height, width))
        else:
            raise ValueError(f"cannot generate {key!r} on import")
        if sr.shape != hr.shape:
            raise ValueError(f"{key} output is {_size(sr)}, HR is {_size(hr)}")
        result.outputs[key] = render_output(sr, hr, scale=task.scale)
    return result


def prepare_output(task: OutputTask) -> OutputResult:
    """Read a published output, check it against its HR size and measure it."""
    try:
        from srmodels.imageio import decode_image, load_image

        sr = load_image(task.path, max_pixels=task.max_pixels)
        hr = decode_image(task.hr_png, name=f"stored HR of {task.name}")
        if sr.shape != hr.shape:
            return OutputResult(
                name=task.name,
                path=task.path,
                error=f"{task.path}: size {_size(sr)} does not match its HR image {_size(hr)}",
            )
        return OutputResult(
            name=task.name, path=task.path, output=render_output(sr, hr, scale=task.scale)
        )
    except Exception as exc:
        return OutputResult(name=task.name, path=task.path, error=_describe(exc))


def _describe(exc: BaseException) -> str:
    from srmodels.imageio import ImageTooLargeError

    text = str(exc) or type(exc).__name__
    if isinstance(exc, ImageTooLargeError):
        return f"{text} pixels (IMAGE_MAX_PIXELS)"
    # srmodels.imageio names the file itself; other errors get their type for context.
    return text if isinstance(exc, ValueError | OSError) else f"{type(exc).__name__}: {text}"


def make_executor(jobs: int, workers: int | None) -> Executor | None:
    """A process pool when it pays (several images, more than one worker), else None.

    ``spawn`` rather than ``fork``: the parent holds database connections and may
    have started PyTorch threads, neither of which survives a fork safely.
    """
    import multiprocessing
    import os

    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    workers = min(workers, jobs)
    if workers <= 1 or jobs < 4:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
