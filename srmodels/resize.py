"""MATLAB-compatible ``imresize`` (bicubic and nearest), ``modcrop`` and nearest upscaling.

Every published super-resolution benchmark made its LR images, and its bicubic baseline,
with MATLAB's ``imresize``. Other resizers (OpenCV: Keys a = -0.75 and no antialiasing;
``torch.nn.functional.interpolate``; Pillow at the borders) move PSNR by 0.1-0.5 dB, so
this module reproduces MATLAB's algorithm step by step:

- the cubic kernel is Keys' with a = -0.5;
- when shrinking, the kernel is stretched by ``1 / scale`` (antialiasing) and scaled by
  ``scale`` so it still integrates to one; ``nearest`` never antialiases;
- output pixel ``x`` (1-based) samples input coordinate ``x / scale + (1 - 1 / scale) / 2``;
- taps that fall outside the image are clamped to the first / last pixel (MATLAB's
  ``contributions`` does ``min(max(1, indices), in_length)``, i.e. edge replication).
  Symmetric padding, which some ports use and which this project's reference notes
  describe, does not reproduce the published LR images: with clamping, downscaling the
  Set5/Set14/BSD100 HR images gives the published LR files bit for bit, and upscaling the
  Set5 LR gives Huang et al.'s published bicubic images bit for bit;
- each output row of weights is normalised to sum to one;
- the two dimensions are resized one after the other, the one with the smaller scale
  first (rows first on ties), and for ``uint8`` input the intermediate result is rounded
  to ``uint8`` exactly as MATLAB's ``imresizemex`` returns the class of its input.

The work is vectorised: for each dimension a small ``(out, taps)`` table of weights and
source indices is precomputed, and the image is accumulated tap by tap (a handful of
whole-array operations, never a loop over pixels).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from srmodels.typedefs import Float64Array, Int64Array, PixelT

if TYPE_CHECKING:
    import torch

METHODS = ("bicubic", "nearest")


def _cubic(x: Float64Array) -> Float64Array:
    """Keys' cubic convolution kernel with a = -0.5 (MATLAB's ``cubic``)."""
    ax = np.abs(x)
    ax2 = ax * ax
    ax3 = ax2 * ax
    weights: Float64Array = (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1) + (
        -0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0
    ) * ((ax > 1) & (ax <= 2))
    return weights


def _box(x: Float64Array) -> Float64Array:
    """MATLAB's ``box`` kernel, half-open so that a tap on a pixel boundary is taken once."""
    return ((x >= -0.5) & (x < 0.5)).astype(np.float64)


_KERNELS: dict[str, tuple[Callable[[Float64Array], Float64Array], float]] = {
    "bicubic": (_cubic, 4.0),
    "nearest": (_box, 1.0),
}


@lru_cache(maxsize=256)
def contributions(
    in_length: int, out_length: int, scale: float, method: str
) -> tuple[Float64Array, Int64Array]:
    """Weights ``(out_length, taps)`` float64 and 0-based source indices of the same shape.

    The same table as MATLAB's ``contributions``; cached because training pipelines and
    batch inference resize many images of the same size.
    """
    kernel, kernel_width = _KERNELS[method]
    antialias = method == "bicubic" and scale < 1
    h: Callable[[Float64Array], Float64Array]
    if antialias:
        width = kernel_width / scale

        def stretched(x: Float64Array) -> Float64Array:
            return scale * kernel(scale * x)

        h = stretched
    else:
        width = kernel_width
        h = kernel
    x = np.arange(1, out_length + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - width / 2.0)
    taps = math.ceil(width) + 2
    indices = left[:, None] + np.arange(taps, dtype=np.float64)[None, :]
    weights = h(u[:, None] - indices)
    weights = weights / weights.sum(axis=1, keepdims=True)
    # MATLAB clamps out-of-range taps to the first / last pixel (edge replication).
    taps_at = np.clip(indices.astype(np.int64) - 1, 0, in_length - 1)
    # Drop the taps whose weight is zero for every output pixel (MATLAB does too): this
    # only saves work, the sums are unchanged.
    keep = np.any(weights != 0, axis=0)
    weights = np.ascontiguousarray(weights[:, keep])
    sources: Int64Array = np.ascontiguousarray(taps_at[:, keep])
    weights.setflags(write=False)
    sources.setflags(write=False)
    return weights, sources


def _output_length(length: int, scale: float) -> int:
    # MATLAB takes ceil(scale * length); the rounding guards against 1/3 * 480 coming out as
    # 160.00000000000003 and growing the image by a pixel.
    return max(1, math.ceil(round(length * scale, 9)))


def _plan(
    shape: tuple[int, ...],
    scale: float | tuple[float, float] | None,
    output_shape: tuple[int, int] | None,
    method: str,
) -> tuple[tuple[float, float], tuple[int, int], list[int]]:
    """Per-dimension scales, output size and the order MATLAB resizes the dimensions in."""
    if method not in _KERNELS:
        raise ValueError(f"unknown resize method {method!r}; expected one of {METHODS}")
    if (scale is None) == (output_shape is None):
        raise ValueError("give exactly one of scale and output_shape")
    if output_shape is not None:
        out = (int(output_shape[0]), int(output_shape[1]))
        if min(out) < 1:
            raise ValueError(f"output_shape must be positive, got {output_shape}")
        scales = (out[0] / shape[0], out[1] / shape[1])
    else:
        if np.isscalar(scale):
            scales = (float(cast(float, scale)), float(cast(float, scale)))
        else:  # one scale per dimension
            pair = cast("tuple[float, float]", scale)
            scales = cast("tuple[float, float]", tuple(map(float, pair)))
        if min(scales) <= 0 or not all(math.isfinite(s) for s in scales):
            raise ValueError(f"scale must be positive and finite, got {scale}")
        out = (_output_length(shape[0], scales[0]), _output_length(shape[1], scales[1]))
    order = sorted((0, 1), key=lambda d: scales[d])  # stable: rows first on ties
    return scales, out, order


def _resize_axis(
    array: npt.NDArray[np.float32 | np.float64],
    axis: int,
    weights: Float64Array,
    indices: Int64Array,
) -> npt.NDArray[np.float32 | np.float64]:
    w = weights.astype(array.dtype, copy=False)
    shape = [1] * array.ndim
    shape[axis] = weights.shape[0]
    out = np.take(array, indices[:, 0], axis=axis) * w[:, 0].reshape(shape)
    for tap in range(1, weights.shape[1]):
        out += np.take(array, indices[:, tap], axis=axis) * w[:, tap].reshape(shape)
    return out


def _round_uint8(array: npt.NDArray[np.float32 | np.float64]) -> npt.NDArray[np.uint8]:
    # MATLAB's double -> uint8 conversion: round half away from zero, saturate.
    rounded: npt.NDArray[np.uint8] = np.clip(np.floor(array + 0.5), 0, 255).astype(np.uint8)
    return rounded


def imresize(
    image: npt.NDArray[PixelT],
    scale: float | None = None,
    *,
    output_shape: tuple[int, int] | None = None,
    method: str = "bicubic",
) -> npt.NDArray[PixelT]:
    """Resize like MATLAB's ``imresize(image, scale | [rows cols], method)``.

    ``image`` is HxW or HxWxC. ``uint8`` in gives ``uint8`` out (rounded and clipped after
    each dimension, as MATLAB does); float in gives the same float dtype out, computed in
    that precision (float16 is computed in float32). Other integer types are computed in
    float64 and returned as float64.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"expected an HxW or HxWxC image, got shape {image.shape}")
    if min(image.shape[:2]) < 1:
        raise ValueError(f"cannot resize an empty image of shape {image.shape}")
    scales, out_shape, order = _plan(image.shape[:2], scale, output_shape, method)
    is_uint8 = image.dtype == np.uint8
    work: npt.NDArray[np.float32 | np.float64]
    result_dtype: npt.DTypeLike
    if is_uint8 or not np.issubdtype(image.dtype, np.floating):
        work = image.astype(np.float64)
        result_dtype = np.uint8 if is_uint8 else np.float64
    else:
        result_dtype = image.dtype
        same = cast("npt.NDArray[np.float32 | np.float64]", image)
        work = image.astype(np.float32) if image.dtype == np.float16 else same
    for axis in order:
        if out_shape[axis] == work.shape[axis] and scales[axis] == 1:
            continue  # MATLAB skips a dimension whose scale is exactly one
        weights, indices = contributions(work.shape[axis], out_shape[axis], scales[axis], method)
        work = _resize_axis(work, axis, weights, indices)
        if is_uint8:
            work = _round_uint8(work).astype(np.float64)
    if is_uint8:
        return cast("npt.NDArray[PixelT]", work.astype(np.uint8))
    return cast("npt.NDArray[PixelT]", work.astype(result_dtype, copy=False))


def imresize_torch(
    batch: torch.Tensor,
    scale: float | None = None,
    *,
    output_shape: tuple[int, int] | None = None,
    method: str = "bicubic",
) -> torch.Tensor:
    """``imresize`` on an NCHW (or CHW) float tensor, on whatever device and dtype it has.

    Same weights as :func:`imresize` (computed once in float64 and cached), applied with
    ``index_select`` tap by tap, so it runs on GPU inside the training data pipeline and
    for SRCNN's bicubic pre-upsampling. No rounding: it is the float path of ``imresize``.
    """
    import torch

    if not torch.is_floating_point(batch):
        raise TypeError(f"imresize_torch needs a floating-point tensor, got {batch.dtype}")
    squeeze = batch.ndim == 3
    if squeeze:
        batch = batch.unsqueeze(0)
    if batch.ndim != 4:
        raise ValueError(f"expected an NCHW or CHW tensor, got shape {tuple(batch.shape)}")
    scales, out_shape, order = _plan(tuple(batch.shape[2:]), scale, output_shape, method)
    dtype = batch.dtype
    # Half precision would accumulate up to 18 taps with a 10-bit mantissa.
    work_dtype = torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype
    out = batch.to(work_dtype)
    for axis in order:
        dim = 2 + axis
        if out_shape[axis] == out.shape[dim] and scales[axis] == 1:
            continue
        weights, indices = _torch_contributions(
            out.shape[dim], out_shape[axis], scales[axis], method, work_dtype, batch.device
        )
        view = [1, 1, 1, 1]
        view[dim] = -1
        acc = out.index_select(dim, indices[:, 0]) * weights[:, 0].view(view)
        for tap in range(1, weights.shape[1]):
            acc = acc + out.index_select(dim, indices[:, tap]) * weights[:, tap].view(view)
        out = acc
    out = out.to(dtype)
    return out.squeeze(0) if squeeze else out


@lru_cache(maxsize=256)
def _torch_contributions(
    in_length: int,
    out_length: int,
    scale: float,
    method: str,
    dtype: torch.dtype,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    import torch

    weights, indices = contributions(in_length, out_length, scale, method)
    # Cached tensors must not be inference tensors: a first call under inference_mode
    # (the engine) would otherwise poison later autograd use (training).
    with torch.inference_mode(False):
        return (
            torch.tensor(weights, dtype=dtype, device=device),
            torch.tensor(indices, dtype=torch.int64, device=device),
        )


def modcrop(image: npt.NDArray[PixelT], scale: int) -> npt.NDArray[PixelT]:
    """Crop the bottom and right edges so height and width are multiples of ``scale``.

    The benchmarks' convention (HR cropped before downsampling), so that an x``scale``
    upscale of the LR lines up pixel for pixel with the HR.
    """
    scale = int(scale)
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    height, width = image.shape[:2]
    if height < scale or width < scale:
        raise ValueError(f"image of {width}x{height} pixels is smaller than the scale {scale}")
    return image[: height - height % scale, : width - width % scale]


def upscale_nearest(image: npt.NDArray[PixelT], scale: int) -> npt.NDArray[PixelT]:
    """Nearest-neighbour upscaling by an integer factor, identical to MATLAB's
    ``imresize(image, scale, 'nearest')`` (each pixel becomes a ``scale`` x ``scale`` block).
    """
    scale = int(scale)
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    return np.repeat(np.repeat(np.asarray(image), scale, axis=0), scale, axis=1)
